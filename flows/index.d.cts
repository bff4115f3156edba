/** Text in the languages of the lessons. */
export interface LessonText {
  vi: string;
  en: string;
}

/** A node of a Node-RED flow, as exported by the editor. */
export interface FlowNode {
  id: string;
  type: string;
  [key: string]: unknown;
}

export interface LessonEntry {
  id: string;
  order: number;
  title: LessonText;
  /** Component ids of the robot-club robot the lesson uses. */
  components: string[];
  /** Folder under lessons/. */
  path: string;
}

export interface Lesson {
  id: string;
  order: number;
  /** The kit the flows' stemlab-kit config node names; change it to run the lesson on another robot. */
  kit: string;
  title: LessonText;
  goal: LessonText;
  steps: LessonText[];
  components: Array<{ id: string; type: string }>;
  starter: FlowNode[];
  solution: FlowNode[];
}

/** The package folder: Node-RED loads the palette from its package.json. */
export declare const packageDir: string;
export declare const lessonsDir: string;
export declare const catalogue: { kit: string; config: string; lessons: LessonEntry[] };
export declare function lesson(id: string): Lesson;

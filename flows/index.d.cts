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
  /** Place in the whole programme (THCS lessons first). */
  order: number;
  level: 'thcs' | 'thpt';
  /** Place in its level's year. */
  number: number;
  title: LessonText;
  /** The kit the flows' stemlab-kit config node names (robot-1, or board-1 for the automation board). */
  kit: string;
  /** Component ids of the robot-club robot the lesson uses. */
  components: string[];
  /** Folder under lessons/. */
  path: string;
}

export interface Lesson {
  id: string;
  order: number;
  level: 'thcs' | 'thpt';
  number: number;
  /** robot: the robot-club robot; automation: the applied-automation board. */
  profile: 'robot' | 'automation';
  arena?: string;
  prerequisites: string[];
  minutes: number;
  hints: LessonText[];
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

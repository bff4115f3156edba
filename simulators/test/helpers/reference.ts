// Reads the StandardFirmata reference captures in simulators/test/fixtures/firmata/*.txt
// (what the real firmware sends on simavr, recorded by scripts/record-firmata-reference.ts)
// into byte arrays.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export type ReferenceBoard = 'uno' | 'mega';

export interface FirmataReference {
  /** bytes sent after reset: REPORT_VERSION + REPORT_FIRMWARE */
  reset: number[];
  /** answer to CAPABILITY_QUERY (f0 6b f7) */
  capability: number[];
  /** answer to ANALOG_MAPPING_QUERY (f0 69 f7) */
  analogMapping: number[];
}

const FILES: Record<ReferenceBoard, string> = {
  uno: 'standardfirmata-uno-2.4.txt',
  mega: 'standardfirmata-mega-2.3.txt',
};

/** `simulators/test/fixtures/firmata`, or $STEMLAB_REFERENCE_DIR when set (a fresh recording). */
export function referenceDir(): string {
  if (process.env.STEMLAB_REFERENCE_DIR) return process.env.STEMLAB_REFERENCE_DIR;
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/firmata');
}

/** Parses one reference text: `## title (N bytes)` sections of hex lines; `#` lines are comments. */
export function parseReference(text: string): FirmataReference {
  const sections: { title: string; declared?: number; bytes: number[] }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('## ')) {
      const m = /\((\d+) bytes\)/.exec(line);
      sections.push({ title: line.slice(3), bytes: [], ...(m ? { declared: Number(m[1]) } : {}) });
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const current = sections[sections.length - 1];
    if (!current) continue;
    for (const tok of line.split(/\s+/)) {
      if (!/^[0-9a-fA-F]{2}$/.test(tok)) throw new Error(`bad hex byte "${tok}" in section "${current.title}"`);
      current.bytes.push(parseInt(tok, 16));
    }
  }
  for (const s of sections) {
    if (s.declared !== undefined && s.declared !== s.bytes.length) {
      throw new Error(`section "${s.title}" declares ${s.declared} bytes but has ${s.bytes.length}`);
    }
  }
  const find = (re: RegExp): number[] => {
    const s = sections.find((x) => re.test(x.title));
    if (!s) throw new Error(`reference has no section matching ${re}`);
    return s.bytes;
  };
  return {
    reset: find(/after reset/i),
    capability: find(/CAPABILITY_QUERY/),
    analogMapping: find(/ANALOG_MAPPING_QUERY/),
  };
}

const cache = new Map<ReferenceBoard, FirmataReference>();

export function loadReference(board: ReferenceBoard): FirmataReference {
  let ref = cache.get(board);
  if (!ref) {
    const file = path.join(referenceDir(), FILES[board]);
    ref = parseReference(readFileSync(file, 'utf8'));
    cache.set(board, ref);
  }
  // copies, so a caller cannot alter another's view
  return { reset: [...ref.reset], capability: [...ref.capability], analogMapping: [...ref.analogMapping] };
}

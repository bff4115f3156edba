/**
 * The "what to try next" block the demo prints once everything runs: each address with the
 * log-in it takes, then commands to try, in English and Vietnamese headings (a teacher or a
 * department official reads it). Built up while the demo starts, printed in one piece.
 */
export interface TryNext {
  /** A place with its address and log-ins: `title` then its lines, indented. */
  place(title: string, lines: string[]): void;
  command(line: string, what: string): void;
  toString(): string;
}

export function tryNext(): TryNext {
  const places: Array<{ title: string; lines: string[] }> = [];
  const commands: Array<{ line: string; what: string }> = [];
  return {
    place: (title, lines) => void places.push({ title, lines }),
    command: (line, what) => void commands.push({ line, what }),
    toString() {
      const out = ['', 'What to try next / Thử tiếp:'];
      for (const p of places) out.push(`  ${p.title}`, ...p.lines.map((l) => `    ${l}`));
      if (commands.length > 0) {
        out.push('  Commands / Lệnh (in another terminal, in this folder):');
        for (const c of commands) out.push(`    ${c.line}`, `        ${c.what}`);
      }
      out.push('  Ctrl-C stops the demo and prints what ran / Ctrl-C dừng bản demo và tóm tắt', '');
      return out.join('\n');
    },
  };
}

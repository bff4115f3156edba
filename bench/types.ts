/** One figure of `stemlab bench`, in the shape `--json` prints (docs/cli.md, stemlab bench). */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** A peer measured in the same run (Mosquitto, the real firmware), for a ratio that survives noisy machines. */
  peer?: string;
  peerValue?: number;
  ratio?: number;
}

export interface BenchSuite {
  name: string;
  /** What it measures, printed before its figures. */
  title: string;
  run(): Promise<BenchResult[]>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Median and p99 of a set of latencies, as two results named `<name> median` and `<name> p99`. */
export function latencyResults(name: string, samplesMs: number[]): BenchResult[] {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return [
    { name: `${name} median`, value: round(percentile(sorted, 50)), unit: 'ms' },
    { name: `${name} p99`, value: round(percentile(sorted, 99)), unit: 'ms' },
  ];
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

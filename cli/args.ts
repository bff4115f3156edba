import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { fieldIssues } from '@stemlab/protocol';

/** A problem with what the user typed: printed without a stack trace, exit code 2, nothing changed. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parse a command's flags with node's parseArgs, then validate them with a zod schema so that
 * every mistake names the flag and what is wrong ("--duration: expected a number of seconds").
 */
export function parseCommand<S extends z.ZodType>(
  command: string,
  argv: string[],
  options: Options,
  schema: S,
): { values: z.infer<S>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`stemlab ${command}: ${(err as Error).message.replace(/\. To specify.*$/s, '')}\nSee: stemlab ${command} --help`);
  }
  const result = schema.safeParse(parsed.values);
  if (!result.success) {
    const lines = fieldIssues(result.error).map((issue) => `  --${issue.path}: ${issue.message}`);
    throw new UsageError(`stemlab ${command}: invalid options\n${lines.join('\n')}\nSee: stemlab ${command} --help`);
  }
  return { values: result.data, positionals: parsed.positionals };
}

/** A flag given as text that must be a number. */
export const numberFlag = (what: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, `expected ${what}`)
    .transform(Number);

/** Resolve when the process is asked to stop (Ctrl-C, SIGTERM) or after `seconds`, whichever comes first. */
export function untilStopped(seconds: number | undefined): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string) => {
      clearTimeout(timer);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(why);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    const timer = seconds === undefined ? undefined : setTimeout(() => done(`--duration ${seconds}s`), seconds * 1000);
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}

/** Output streams of a CLI command; tests pass buffers instead of the process streams. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Current directory for relative paths. */
  cwd: string;
  env: Record<string, string | undefined>;
  /** A person at a terminal (stdin and stderr are TTYs): the CLI may ask them to open a URL. */
  interactive?: boolean;
}

/** A subcommand: takes its own arguments, returns the process exit code. */
export type CliCommand = (args: string[], io: CliIo) => Promise<number>;

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
  interactive: !!process.stdin.isTTY && !!process.stderr.isTTY,
};

/** Display helpers for command lines and environments (values never shown). */

/** `cmd arg 'arg with space'`, quoted the way a POSIX shell would need it. */
export function formatCommandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map(shellQuote).join(' ');
}

function shellQuote(word: string): string {
  if (word === '') return "''";
  if (/^[\w@%+=:,./${}-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `KEY=***` for each variable: the keys matter for troubleshooting, the values may be secrets. */
export function redactEnv(env: Record<string, string> | undefined): string[] {
  return Object.keys(env ?? {}).map((key) => `${key}=***`);
}

import type { CliIo } from '../io';

/** Placeholder until this command lands. */
export async function run(_args: string[], io: CliIo): Promise<number> {
  io.err('mcp-doctor lint: not available yet\n');
  return 2;
}

import * as path from 'node:path';
import { runStdioProxy } from '../../core/proxy/stdioProxy';
import { VERSION } from '../../core/version';
import type { CliIo } from '../io';

const USAGE = `Usage: mcp-doctor proxy [--trace FILE] [--name NAME] [--grace MS] -- <command> [args...]

Runs an MCP stdio server and relays stdin/stdout byte for byte, recording every JSON-RPC
message, stdout noise and stderr line to FILE (JSONL, the format of MCP Doctor's trace view).
Put it in front of a server in any client's config (Claude Desktop, Cursor, VS Code...) and
open FILE in VS Code with "MCP Doctor: Open Recorded Trace Session...".
When the client closes stdin the server gets MS milliseconds (default 5000) to exit, then
SIGTERM, then SIGKILL. SIGINT/SIGTERM/SIGHUP sent to the proxy are forwarded to the server.
Exit code: the server's (128 + signal when killed, 127 when it cannot start, 2 on bad usage).
`;

/** `mcp-doctor proxy`: the stdio pass-through recorder. */
export async function run(args: string[], io: CliIo): Promise<number> {
  let traceFile: string | undefined;
  let name: string | undefined;
  let grace: number | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      i++;
      break;
    }
    if (a === '--help' || a === '-h') {
      io.err(USAGE);
      return 0;
    }
    if (a === '--trace' || a === '--name' || a === '--grace') {
      const v = args[i + 1];
      if (v === undefined) {
        io.err(`mcp-doctor proxy: ${a} needs a value\n\n${USAGE}`);
        return 2;
      }
      if (a === '--trace') traceFile = path.resolve(io.cwd, v);
      else if (a === '--name') name = v;
      else {
        grace = Number(v);
        if (!Number.isFinite(grace) || grace < 0) {
          io.err(`mcp-doctor proxy: --grace needs a number of milliseconds, got "${v}"\n`);
          return 2;
        }
      }
      i++;
      continue;
    }
    if (a.startsWith('--trace=')) {
      traceFile = path.resolve(io.cwd, a.slice('--trace='.length));
      continue;
    }
    if (a.startsWith('--name=')) {
      name = a.slice('--name='.length);
      continue;
    }
    if (a.startsWith('-')) {
      io.err(`mcp-doctor proxy: unknown option ${a} (put the server command after --)\n\n${USAGE}`);
      return 2;
    }
    break; // the command starts here (no `--`)
  }
  const [command, ...rest] = args.slice(i);
  if (!command) {
    io.err(`mcp-doctor proxy: missing the server command\n\n${USAGE}`);
    return 2;
  }
  // Everything informational goes to stderr: stdout belongs to the MCP protocol.
  return runStdioProxy({
    command,
    args: rest,
    traceFile,
    serverName: name,
    stopGraceMs: grace,
    env: io.env as NodeJS.ProcessEnv,
    cwd: io.cwd,
    version: VERSION,
  });
}

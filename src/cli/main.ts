import { VERSION } from '../core/version';
import { processIo, type CliCommand, type CliIo } from './io';

const USAGE = `mcp-doctor: find what is wrong with MCP servers

Usage:
  mcp-doctor list  [folder] [--json] [--no-user] [--show-secrets]
                   discovered servers and config problems
  mcp-doctor check [folder] [--json] [--server NAME] [--url URL] [--era auto|2025|2026|both]
                   [--call NAME[=JSON]] [--elicit FILE] [--sampling-reply TEXT] [--show-secrets]
                   start each server headless, connect in the newest era both sides speak,
                   report findings
  mcp-doctor lint  [paths...] [--json | --format sarif] [--rule ID=LEVEL]
                   static rules on server source
  mcp-doctor proxy [--trace FILE] [--name NAME] -- <command> [args...]
                   stdio pass-through that records a trace

  mcp-doctor <command> --help   all options of one command

Exit code: 0 no errors, 1 errors found, 2 bad usage.
`;

/** Subcommands load on demand so `list` never pays for the TypeScript compiler or the SDK. */
const COMMANDS: Record<string, () => Promise<CliCommand>> = {
  list: async () => (await import('./commands/list')).run,
  check: async () => (await import('./commands/check')).run,
  lint: async () => (await import('./commands/lint')).run,
  proxy: async () => (await import('./commands/proxy')).run,
};

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.err(`mcp-doctor: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await (
      await load()
    )(rest, io);
  } catch (err) {
    io.err(`mcp-doctor ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

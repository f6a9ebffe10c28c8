import type { ConfigFileResult, ServerConfig } from '../../core/config/types';
import { resolveVariables } from '../../core/config/variables';
import { compareFindings, type Finding } from '../../core/model';
import { defaultEnvironment } from '../../core/session/env';
import { McpSession } from '../../core/session/mcpSession';
import { countBySeverity } from '../../core/rules/report';
import { displayPath, position } from '../../core/util/paths';
import type { CliIo } from '../io';
import { VERSION } from '../../core/version';
import { discoverFolder, folderArg, homeOf } from '../workspace';

const USAGE = `Usage: mcp-doctor check [folder] [--json] [--server NAME] [--timeout MS] [--no-user]

Starts every enabled server headless (two at a time), performs the MCP handshake, lists
tools/resources/prompts and reports what goes wrong. Tools are never called.

  folder          workspace folder to scan (default: current directory)
  --json          print { servers, configFindings, summary } as JSON
  --server NAME   only check servers with this name (repeatable)
  --timeout MS    how long each server may take to answer initialize (default 30000)
  --no-user       read only the folder, not your home/app-data configs

Exit code: 0 no errors, 1 errors found, 2 bad usage.
`;

/** Result for one server in `--json`. */
export interface CheckedServer {
  name: string;
  id: string;
  client: string;
  file: string;
  line: number;
  status: 'ok' | 'failed' | 'skipped';
  skipReason?: string;
  state?: string;
  initializeMs?: number;
  protocolVersion?: string;
  serverInfo?: { name?: string; version?: string };
  tools?: number;
  resources?: number;
  resourceTemplates?: number;
  prompts?: number;
  stderrTail?: string[];
  findings: Finding[];
}

export interface CheckSummary {
  servers: number;
  ok: number;
  failed: number;
  skipped: number;
  errors: number;
  warnings: number;
}

interface Options {
  json: boolean;
  names: string[];
  timeoutMs: number;
  includeUser: boolean;
  folder?: string;
}

function parseArgs(args: string[], io: CliIo): Options | number {
  const o: Options = { json: false, names: [], timeoutMs: 30000, includeUser: true };
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') o.json = true;
    else if (a === '--no-user') o.includeUser = false;
    else if (a === '--server' || a.startsWith('--server=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (!v) return usageError(io, '--server needs a name');
      o.names.push(v);
    } else if (a === '--timeout' || a.startsWith('--timeout=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      const n = Number(v);
      if (!v || !Number.isFinite(n) || n <= 0)
        return usageError(io, `--timeout needs a positive number of milliseconds, got "${v ?? ''}"`);
      o.timeoutMs = n;
    } else if (a === '--help' || a === '-h') {
      io.out(USAGE);
      return 0;
    } else if (a.startsWith('-')) return usageError(io, `unknown option "${a}"`);
    else positional.push(a);
  }
  if (positional.length > 1) return usageError(io, `expected at most one folder, got ${positional.length}`);
  o.folder = positional[0];
  return o;
}

function usageError(io: CliIo, msg: string): number {
  io.err(`mcp-doctor check: ${msg}\n\n${USAGE}`);
  return 2;
}

/** `mcp-doctor check`: start each configured server headless and report runtime findings. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args, io);
  if (typeof parsed === 'number') return parsed;
  const opts = parsed;
  const folder = folderArg(io, 'check', opts.folder);
  if (!folder) return 2;
  const files = await discoverFolder(io, folder, { includeUser: opts.includeUser });
  let servers = files.flatMap((f) => f.servers);
  if (opts.names.length) {
    const wanted = new Set(opts.names);
    servers = servers.filter((s) => wanted.has(s.name));
    if (!servers.length) {
      const names = [...new Set(files.flatMap((f) => f.servers.map((s) => s.name)))];
      io.err(
        `mcp-doctor check: no server named ${opts.names.map((n) => `"${n}"`).join(', ')}. Known servers: ${names.join(', ') || '(none)'}\n`,
      );
      return 2;
    }
  }
  const configFindings = relevantConfigFindings(files, servers, opts.names.length > 0);

  const results: CheckedServer[] = new Array(servers.length);
  const active = new Set<McpSession>();
  const onSigint = () => {
    void Promise.all([...active].map((s) => s.stop())).then(() => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  try {
    let next = 0;
    const worker = async () => {
      while (next < servers.length) {
        const i = next++;
        results[i] = await checkOne(servers[i], folder, homeOf(io), io, opts.timeoutMs, active);
        if (!opts.json) io.err(`${progressLine(results[i])}\n`);
      }
    };
    await Promise.all([worker(), worker()]);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }

  const counts = countBySeverity([...configFindings, ...results.flatMap((r) => r.findings)]);
  const summary: CheckSummary = {
    servers: results.length,
    ok: results.filter((r) => r.status === 'ok').length,
    failed: results.filter((r) => r.status === 'failed').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
    errors: counts.error,
    warnings: counts.warning,
  };
  if (opts.json) io.out(`${JSON.stringify({ folder, servers: results, configFindings, summary }, null, 2)}\n`);
  else io.out(formatText(results, configFindings, summary, io.cwd));
  return summary.errors > 0 ? 1 : 0;
}

/** Config findings of the files that hold the checked servers (all files when no --server filter). */
function relevantConfigFindings(files: ConfigFileResult[], servers: ServerConfig[], filtered: boolean): Finding[] {
  const names = new Set(servers.map((s) => s.name));
  const fileSet = new Set(servers.map((s) => s.file));
  return files
    .filter((f) => !filtered || fileSet.has(f.file))
    .flatMap((f) => f.findings)
    .filter((f) => !filtered || !f.server || names.has(f.server))
    .sort(compareFindings);
}

async function checkOne(
  server: ServerConfig,
  folder: string,
  home: string,
  io: CliIo,
  timeoutMs: number,
  active: Set<McpSession>,
): Promise<CheckedServer> {
  const base: CheckedServer = {
    name: server.name,
    id: server.id,
    client: server.client,
    file: server.file,
    line: server.range.start.line + 1,
    status: 'skipped',
    findings: [],
  };
  if (server.disabled) return { ...base, skipReason: 'disabled in the config' };
  const workspaceFolder = server.workspaceFolder ?? folder;
  let resolved: ServerConfig;
  try {
    resolved = resolveVariables(server, { workspaceFolder, home, env: io.env });
  } catch (err) {
    return {
      ...base,
      skipReason: `variables could not be resolved: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  const inputs = resolved.unresolved.filter((u) => /input/i.test(u));
  if (inputs.length)
    return {
      ...base,
      skipReason: `needs ${inputs.join(', ')} (prompted by the client; start it from VS Code instead)`,
    };
  if (!resolved.command && !resolved.url) return { ...base, skipReason: 'no command or url' };

  const session = new McpSession({
    server: resolved,
    workspaceFolder,
    startupTimeoutMs: timeoutMs,
    baseEnv: defaultEnvironment(io.env),
    clientInfo: { name: 'mcp-doctor-check', version: VERSION },
    healthIntervalMs: 0,
  });
  active.add(session);
  try {
    await session.start();
    await session.flushFindings();
    const v = session.view();
    const st = v.state;
    const out: CheckedServer = {
      ...base,
      status: st.kind === 'running' ? 'ok' : 'failed',
      state: st.kind === 'error' ? st.reason : st.kind,
      findings: [...v.findings].sort(compareFindings),
    };
    if (st.kind === 'running') {
      Object.assign(out, {
        initializeMs: Math.round(st.initializeMs),
        protocolVersion: st.protocolVersion,
        serverInfo: { name: st.serverName, version: st.serverVersion },
        tools: v.tools.length,
        resources: v.resources.length,
        resourceTemplates: v.resourceTemplates.length,
        prompts: v.prompts.length,
      });
    } else out.stderrTail = v.stderrTail.slice(-10);
    if (resolved.unresolved.length)
      out.findings.push({
        code: 'MCP058',
        severity: 'warning',
        message: `Started with unresolved variables ${resolved.unresolved.join(', ')} left as written.`,
        file: server.file,
        range: server.range,
        origin: 'runtime',
        server: server.name,
      });
    return out;
  } finally {
    await session.dispose();
    active.delete(session);
  }
}

function progressLine(r: CheckedServer): string {
  if (r.status === 'skipped') return `- ${r.name}: skipped`;
  return `${r.status === 'ok' ? '✔' : '✖'} ${r.name}`;
}

function formatFinding(f: Finding, cwd: string): string {
  const [first, ...rest] = f.message.split('\n');
  const head = `    ${f.severity.padEnd(7)} ${f.code.padEnd(20)} ${displayPath(cwd, f.file)}:${position(f.range)}  ${first}`;
  return rest.length ? `${head}\n${rest.map((l) => `        | ${l}`).join('\n')}` : head;
}

function formatText(results: CheckedServer[], configFindings: Finding[], s: CheckSummary, cwd: string): string {
  const out: string[] = [];
  for (const r of results) {
    const where = `${r.client}, ${displayPath(cwd, r.file)}:${r.line}`;
    if (r.status === 'skipped') {
      out.push(`- ${r.name} (${where}): skipped, ${r.skipReason}`);
      continue;
    }
    if (r.status === 'ok') {
      out.push(
        `✔ ${r.name} (${where})  initialize ${r.initializeMs} ms · protocol ${r.protocolVersion} · ${r.tools} tools · ${r.resources} resources · ${r.resourceTemplates} templates · ${r.prompts} prompts`,
      );
    } else out.push(`✖ ${r.name} (${where})  ${r.state}`);
    for (const f of r.findings) out.push(formatFinding(f, cwd));
  }
  if (configFindings.length) {
    out.push('', 'Config findings:');
    for (const f of configFindings) out.push(formatFinding(f, cwd));
  }
  out.push(
    '',
    `${s.servers} server(s): ${s.ok} ok, ${s.failed} failed, ${s.skipped} skipped; ${s.errors} error(s), ${s.warnings} warning(s)`,
    '',
  );
  return out.join('\n');
}

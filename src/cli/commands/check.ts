import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { ConfigFileResult, ServerConfig } from '../../core/config/types';
import { compareFindings, type Finding } from '../../core/model';
import type { McpSession } from '../../core/session/mcpSession';
import { resolveVariables } from '../../core/config/variables';
import { countBySeverity } from '../../core/rules/report';
import { isSecretEnvName, isSecretKey, redactString } from '../../core/trace/redact';
import { displayPath, position } from '../../core/util/paths';
import type { CliIo } from '../io';
import { discoverFolder, folderArg, homeOf } from '../workspace';
import { maskFinding } from './list';
import {
  checkOne,
  readElicitAnswer,
  type CallReport,
  type CheckedServer,
  type CheckOptions,
  type EraReport,
  type ToolCallSpec,
} from './checkServer';

const USAGE = `Usage: mcp-doctor check [folder] [--json] [--server NAME] [--url URL] [--era auto|2025|2026|both]
                        [--call NAME[=JSON]] [--elicit FILE] [--sampling-reply TEXT|FILE]
                        [--timeout MS] [--no-user] [--show-secrets]

Starts every enabled server headless (two at a time), connects in the newest protocol era both
sides speak, lists tools/resources/prompts and reports what goes wrong. Tools are called only
when asked with --call.

  folder               workspace folder to scan (default: current directory)
  --json               print { servers, configFindings, summary } as JSON
  --server NAME        only check servers with this name (repeatable)
  --url URL            check the MCP server at this URL (Streamable HTTP, then SSE) instead of configs
  --era ERA            auto (default: negotiate), 2025 (initialize), 2026 (2026-07-28, stateless),
                       or both: connect once per era and report the differences side by side
  --call NAME[=JSON]   call tool NAME with these arguments after listing (repeatable): a CI smoke test
  --elicit FILE        answer elicitation requests with this JSON (the content, or {"action": ...});
                       without it they are declined
  --sampling-reply X   answer sampling requests with this text (or the contents of file X);
                       without it they are declined
  --timeout MS         how long each server may take to answer initialize (default 30000)
  --no-user            read only the folder, not your home/app-data configs
  --show-secrets       print stderr, errors, call results and findings as they are (by default
                       token shapes, secret key=value pairs and the values of secret env
                       variables and headers are masked as ***)

Exit code: 0 no errors, 1 errors found (or a --call failed), 2 bad usage.
`;

export interface CheckSummary {
  servers: number;
  ok: number;
  failed: number;
  skipped: number;
  errors: number;
  warnings: number;
}

interface Options extends CheckOptions {
  json: boolean;
  names: string[];
  includeUser: boolean;
  showSecrets: boolean;
  folder?: string;
  url?: string;
}

function parseArgs(args: string[], io: CliIo): Options | number {
  const o: Options = {
    json: false,
    names: [],
    timeoutMs: 30000,
    includeUser: true,
    showSecrets: false,
    era: 'auto',
    calls: [],
    settleMs: 300,
  };
  const positional: string[] = [];
  const valueOf = (a: string, i: number): [string | undefined, number] =>
    a.includes('=') && a.startsWith('--') && a.indexOf('=') < a.length
      ? [a.slice(a.indexOf('=') + 1), i]
      : [args[i + 1], i + 1];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const flag = a.startsWith('--') && a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    if (a === '--json') o.json = true;
    else if (flag === '--url') {
      [o.url, i] = valueOf(a, i);
      if (!o.url) return usageError(io, '--url needs a URL');
    } else if (flag === '--era') {
      let v: string | undefined;
      [v, i] = valueOf(a, i);
      if (v !== 'auto' && v !== '2025' && v !== '2026' && v !== 'both')
        return usageError(io, `--era must be auto, 2025, 2026 or both, got "${v ?? ''}"`);
      o.era = v;
    } else if (flag === '--call') {
      // --call NAME=JSON: the flag's own "=" is not the name's.
      const v = a === '--call' ? args[++i] : a.slice('--call='.length);
      const call = v ? parseCall(v) : 'missing';
      if (typeof call === 'string') return usageError(io, `--call ${call}`);
      o.calls.push(call);
    } else if (flag === '--elicit') {
      let v: string | undefined;
      [v, i] = valueOf(a, i);
      try {
        o.elicit = readElicitAnswer(v ?? '');
      } catch (err) {
        return usageError(io, `--elicit ${v ?? ''}: ${err instanceof Error ? err.message : String(err)}`);
      }
    } else if (flag === '--sampling-reply') {
      let v: string | undefined;
      [v, i] = valueOf(a, i);
      if (v === undefined) return usageError(io, '--sampling-reply needs a text or a file');
      o.samplingReply = existsSync(v) && statSync(v).isFile() ? readFileSync(v, 'utf8') : v;
    } else if (a === '--no-user') o.includeUser = false;
    else if (a === '--show-secrets') o.showSecrets = true;
    else if (flag === '--server') {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (!v) return usageError(io, '--server needs a name');
      o.names.push(v);
    } else if (flag === '--timeout') {
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

/** `NAME` or `NAME=JSON` (a JSON object of arguments). */
function parseCall(v: string): ToolCallSpec | string {
  const eq = v.indexOf('=');
  const name = eq < 0 ? v : v.slice(0, eq);
  if (!name) return `needs a tool name, got "${v}"`;
  if (eq < 0) return { name, args: {} };
  try {
    const args = JSON.parse(v.slice(eq + 1)) as unknown;
    if (!args || typeof args !== 'object' || Array.isArray(args)) return `${name}: the arguments must be a JSON object`;
    return { name, args: args as Record<string, unknown> };
  } catch (err) {
    return `${name}: the arguments are not JSON (${err instanceof Error ? err.message : String(err)})`;
  }
}

function usageError(io: CliIo, msg: string): number {
  io.err(`mcp-doctor check: ${msg}\n\n${USAGE}`);
  return 2;
}

/**
 * A checked server safe to print: its error, stderr tail, call results and findings with token
 * shapes, secret `key=value` pairs and the launch's own secret values (`secrets`) masked.
 */
function maskChecked(r: CheckedServer, secrets: readonly string[]): CheckedServer {
  const out: CheckedServer = { ...r, findings: r.findings.map((f) => maskFinding(f, secrets)) };
  if (r.state !== undefined) out.state = redactString(r.state, secrets);
  if (r.stderrTail) out.stderrTail = r.stderrTail.map((l) => redactString(l, secrets));
  if (r.skipReason !== undefined) out.skipReason = redactString(r.skipReason, secrets);
  if (r.calls) out.calls = r.calls.map((c) => ({ ...c, text: redactString(c.text, secrets) }));
  if (r.eras) out.eras = r.eras.map((e) => ({ ...e, state: redactString(e.state, secrets) }));
  return out;
}

/** Values of secret-named env variables and secret headers of a launch, longest first. */
function launchSecrets(server: ServerConfig, folder: string, io: CliIo): string[] {
  let s: ServerConfig;
  try {
    s = resolveVariables(server, { workspaceFolder: server.workspaceFolder ?? folder, home: homeOf(io), env: io.env });
  } catch {
    return [];
  }
  const out = new Set<string>();
  for (const [k, v] of Object.entries(s.env ?? {})) if (isSecretEnvName(k)) out.add(v);
  for (const [k, v] of Object.entries(s.headers ?? {})) {
    if (!isSecretKey(k) && !/auth|token|key|secret|cookie/i.test(k)) continue;
    out.add(v);
    const token = v.trim().split(/\s+/)[1];
    if (token) out.add(token);
  }
  // An unresolved `${input:…}` is a name, not a secret.
  return [...out].filter((v) => v.length >= 4 && !v.includes('${')).sort((a, b) => b.length - a.length);
}

/** `mcp-doctor check`: start each configured server headless and report runtime findings. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args, io);
  if (typeof parsed === 'number') return parsed;
  const opts = parsed;
  const folder = folderArg(io, 'check', opts.folder);
  if (!folder) return 2;
  const files = opts.url ? [] : await discoverFolder(io, folder, { includeUser: opts.includeUser });
  let servers = opts.url ? [urlServer(opts.url, folder)] : files.flatMap((f) => f.servers);
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
  // Output is pasted into issues and CI logs: secrets are masked unless asked for.
  const configFindings = relevantConfigFindings(files, servers, opts.names.length > 0).map((f) =>
    opts.showSecrets ? f : maskFinding(f),
  );

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
        const r = await checkOne(servers[i], folder, homeOf(io), io, opts, active);
        results[i] = opts.showSecrets ? r : maskChecked(r, launchSecrets(servers[i], folder, io));
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
  const callFailed = results.some((r) => r.calls?.some((c) => !c.ok));
  return summary.errors > 0 || callFailed ? 1 : 0;
}

/** A server given by `--url` instead of a config entry. */
function urlServer(url: string, folder: string): ServerConfig {
  let name = url;
  try {
    name = new URL(url).host || url;
  } catch {
    // reported when connecting
  }
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return {
    id: `url:${url}`,
    name,
    client: 'vscode',
    scope: 'workspace',
    file: path.join(folder, '(--url)'),
    range,
    transport: 'http',
    url,
    workspaceFolder: folder,
  } as ServerConfig;
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

function progressLine(r: CheckedServer): string {
  if (r.status === 'skipped') return `- ${r.name}: skipped`;
  return `${r.status === 'ok' ? '✔' : '✖'} ${r.name}`;
}

function formatCall(c: CallReport): string {
  const asked = c.asked?.length ? `  (asked the client: ${c.asked.join(', ')})` : '';
  return `    call ${c.tool}: ${c.ok ? 'ok' : 'FAILED'} in ${c.ms} ms: ${oneLine(c.text, 120)}${asked}`;
}

/** `--era both`: each era's connection and calls, side by side. */
function formatEras(r: CheckedServer): string[] {
  const cell = (e: EraReport) =>
    e.ok
      ? `✔ ${e.protocolVersion} · ${e.tools?.length ?? 0} tools${e.httpSession === undefined ? '' : e.httpSession ? ' · session' : ' · no session'}`
      : `✖ ${oneLine(e.state, 60)}`;
  const eras = r.eras!;
  const names = [...new Set((r.calls ?? []).map((c) => `call ${c.tool}`))];
  const width = Math.min(32, Math.max(10, ...names.map((n) => n.length))) + 2;
  const col = 44;
  const out = [`    ${''.padEnd(width)}${eras.map((e) => `${e.era} era`.padEnd(col)).join('')}`];
  out.push(`    ${'connect'.padEnd(width)}${eras.map((e) => cell(e).padEnd(col)).join('')}`);
  const tools = [...new Set(eras.flatMap((e) => e.tools ?? []))];
  const onlyIn = tools.filter((t) => eras.some((e) => e.ok && !(e.tools ?? []).includes(t)));
  if (onlyIn.length)
    out.push(
      `    ${'tools'.padEnd(width)}${eras.map((e) => `missing: ${onlyIn.filter((t) => !(e.tools ?? []).includes(t)).join(', ') || '—'}`.padEnd(col)).join('')}`,
    );
  for (const name of [...new Set((r.calls ?? []).map((c) => c.tool))]) {
    const row = eras.map((e) => {
      const c = r.calls!.find((x) => x.tool === name && x.era === e.era);
      return (c ? `${c.ok ? 'ok' : 'FAILED'}: ${oneLine(c.text, 34)}` : '—').padEnd(col);
    });
    out.push(`    ${oneLine(`call ${name}`, width - 2).padEnd(width)}${row.join('')}`);
  }
  return out;
}

function oneLine(s: string, n: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

function formatFinding(f: Finding, cwd: string): string {
  const [first, ...rest] = f.message.split('\n');
  const head = `    ${f.severity.padEnd(7)} ${f.code.padEnd(20)} ${displayPath(cwd, f.file)}:${position(f.range)}  ${first}`;
  return rest.length ? `${head}\n${rest.map((l) => `        | ${l}`).join('\n')}` : head;
}

function formatText(results: CheckedServer[], configFindings: Finding[], s: CheckSummary, cwd: string): string {
  const out: string[] = [];
  for (const r of results) {
    const where = r.id.startsWith('url:') ? r.id.slice(4) : `${r.client}, ${displayPath(cwd, r.file)}:${r.line}`;
    if (r.status === 'skipped') {
      out.push(`- ${r.name} (${where}): skipped, ${r.skipReason}`);
      continue;
    }
    if (r.status === 'ok') {
      out.push(
        `✔ ${r.name} (${where})  ${r.era === '2026' ? 'discover' : 'initialize'} ${r.initializeMs} ms · protocol ${r.protocolVersion} (${r.era} era) · ${r.tools} tools · ${r.resources} resources · ${r.resourceTemplates} templates · ${r.prompts} prompts`,
      );
    } else out.push(`✖ ${r.name} (${where})  ${r.state}`);
    if (r.eras) out.push(...formatEras(r));
    else for (const c of r.calls ?? []) out.push(formatCall(c));
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

import { compareFindings, type Finding } from '../../core/model';
import type { ConfigFileResult, ServerConfig } from '../../core/config/types';
import { countBySeverity } from '../../core/rules/report';
import { redactServerConfig } from '../../core/session/report';
import { REDACTED, redactConfig, redactString, redactValue } from '../../core/trace/redact';
import { displayPath, position } from '../../core/util/paths';
import type { CliIo } from '../io';
import { discoverFolder, folderArg } from '../workspace';

const USAGE = `Usage: mcp-doctor list [folder] [--json] [--no-user] [--no-check-commands] [--show-secrets]

  folder               workspace folder to scan (default: current directory)
  --json               print { files, summary } as JSON
  --no-user            read only the folder, not your home/app-data configs
  --no-check-commands  do not look commands up on PATH or check script files
  --show-secrets       print env values, header values, URL credentials and secret
                       arguments as written (masked as *** by default)

Exit code: 0 no errors, 1 errors found, 2 bad usage.
`;

/** Summary counts printed at the end and in `--json`. */
export interface ListSummary {
  files: number;
  servers: number;
  errors: number;
  warnings: number;
}

/** `mcp-doctor list`: discovered servers and config problems, grouped by file. */
export async function run(args: string[], io: CliIo): Promise<number> {
  let json = false;
  let includeUser = true;
  let checkCommands = true;
  let showSecrets = false;
  const positional: string[] = [];
  for (const a of args) {
    if (a === '--json') json = true;
    else if (a === '--show-secrets') showSecrets = true;
    else if (a === '--no-user') includeUser = false;
    else if (a === '--no-check-commands') checkCommands = false;
    else if (a === '--help' || a === '-h') {
      io.out(USAGE);
      return 0;
    } else if (a.startsWith('-')) {
      io.err(`mcp-doctor list: unknown option "${a}"\n\n${USAGE}`);
      return 2;
    } else positional.push(a);
  }
  if (positional.length > 1) {
    io.err(`mcp-doctor list: expected at most one folder, got ${positional.length}\n\n${USAGE}`);
    return 2;
  }
  const folder = folderArg(io, 'list', positional[0]);
  if (!folder) return 2;
  const found = await discoverFolder(io, folder, { includeUser, checkCommands });
  // Output is pasted into issues and CI logs: secrets are masked unless asked for.
  const files = showSecrets ? found : found.map(maskConfigFile);
  const summary = summarize(files);

  if (json) {
    io.out(`${JSON.stringify({ files, summary }, null, 2)}\n`);
  } else {
    io.out(formatText(files, summary, io.cwd, folder));
  }
  return summary.errors > 0 ? 1 : 0;
}

/**
 * A config file result safe to print: env values and secret header values become `***`, secret
 * arguments and URL credentials are masked (`redactServerConfig`), `raw` is redacted the same
 * way, and finding messages and data go through the one redaction.
 */
export function maskConfigFile(file: ConfigFileResult): ConfigFileResult {
  return {
    ...file,
    servers: file.servers.map((s) => ({ ...redactServerConfig(s), raw: redactConfig(s.raw) })),
    findings: file.findings.map((f) => maskFinding(f)),
    inputs: file.inputs?.map((i) => (i.default === undefined ? i : { ...i, default: REDACTED })),
  };
}

/** A finding with its message and data redacted. */
export function maskFinding(f: Finding, secrets: readonly string[] = []): Finding {
  const out: Finding = { ...f, message: redactString(f.message, secrets) };
  if (f.data) out.data = redactValue(f.data, secrets) as Record<string, unknown>;
  if (f.fixes)
    out.fixes = f.fixes.map((x) => ({
      ...x,
      edits: x.edits.map((e) => ({ ...e, newText: redactString(e.newText, secrets) })),
    }));
  return out;
}

export function summarize(files: ConfigFileResult[]): ListSummary {
  const counts = countBySeverity(files.flatMap((f) => f.findings));
  return {
    files: files.length,
    servers: files.reduce((n, f) => n + f.servers.length, 0),
    errors: counts.error,
    warnings: counts.warning,
  };
}

/** Human-readable report; findings as `file:line:col severity code message` (1-based). */
export function formatText(files: ConfigFileResult[], summary: ListSummary, cwd: string, folder: string): string {
  const show = (f: string) => displayPath(cwd, f);
  if (!files.length) return `No MCP configuration found in ${show(folder) || '.'}.\n`;
  const lines: string[] = [];
  for (const file of files) {
    const status = file.accepted ? '' : '  [rejected by the client: fix the errors below]';
    lines.push(`${show(file.file)}  (${file.client}, ${file.scope})${status}`);
    if (!file.servers.length) lines.push('  (no servers)');
    for (const s of file.servers) lines.push(`  ${serverLine(s)}`);
    const findings = [...file.findings].sort(compareFindings);
    for (const f of findings) lines.push(`  ${findingLine(f, show)}`);
    lines.push('');
  }
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  lines.push(
    `${plural(summary.servers, 'server')} in ${plural(summary.files, 'file')}: ${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}.`,
  );
  return `${lines.join('\n')}\n`;
}

function serverLine(s: ServerConfig): string {
  const mark = s.valid === false ? '✗' : s.disabled ? '-' : '•';
  const target =
    s.transport === 'stdio' || (!s.url && s.command)
      ? [s.command ?? '', ...(s.args ?? [])].map(quoteArg).join(' ')
      : (s.url ?? '');
  const flags = [s.disabled ? 'disabled' : '', s.unresolved.length ? `needs ${s.unresolved.join(', ')}` : '']
    .filter(Boolean)
    .join('; ');
  return `${mark} ${s.name}  [${s.transport}]  ${target || '(nothing to run)'}${flags ? `  (${flags})` : ''}`;
}

function quoteArg(a: string): string {
  return a === '' || /[\s"']/.test(a) ? JSON.stringify(a) : a;
}

function findingLine(f: Finding, show: (file: string) => string): string {
  return `${show(f.file)}:${position(f.range)} ${f.severity} ${f.code} ${f.message}`;
}

import type { ServerConfig } from '../config/types';
import type { Finding } from '../model';
import { redactArgs, redactString } from '../trace/redact';
import type { SessionView } from './types';

/**
 * Replaces known token shapes (`sk-…`, `ghp_…`, `xoxb-…`, `AKIA…`, JWTs, `Bearer …`,
 * `api_key=…`, `--token …`, `user:pass@` in URLs) with `***`: the one redaction of
 * `core/trace/redact.ts`, under the name the report and the VS Code layer use.
 */
export const redactText = (text: string): string => redactString(text);

/** True for header names whose values are credentials. */
function isSecretHeader(name: string): boolean {
  return (
    /^(authorization|proxy-authorization|cookie|set-cookie)$/i.test(name) ||
    /(token|secret|key|auth|password|session)/i.test(name)
  );
}

/**
 * A copy of the config safe to share: every `env` value and every credential-like header value
 * becomes `***`; args and url are token-redacted. `raw` is dropped (it repeats the same secrets).
 */
export function redactServerConfig(server: ServerConfig): ServerConfig {
  const env = server.env ? Object.fromEntries(Object.keys(server.env).map((k) => [k, '***'])) : undefined;
  const headers = server.headers
    ? Object.fromEntries(Object.entries(server.headers).map(([k, v]) => [k, isSecretHeader(k) ? '***' : redactText(v)]))
    : undefined;
  return {
    ...server,
    // Secret flags (`--token xyz`) hide their value; token shapes are redacted anywhere.
    args: server.args && redactArgs(server.args).map(redactText),
    command: server.command !== undefined ? redactText(server.command) : undefined,
    url: server.url !== undefined ? redactText(server.url) : undefined,
    env,
    headers,
    raw: '(omitted)',
  };
}

/** Input of the troubleshooting report (everything optional except the server and findings). */
export interface TroubleshootingReportInput {
  extensionVersion: string;
  vscodeVersion?: string;
  server: ServerConfig;
  view?: SessionView;
  findings: Finding[];
  /** e.g. `{ "mcp": "1.9.0", "@modelcontextprotocol/sdk": "1.32.2" }` from lockfiles. */
  lockfileVersions?: Record<string, string>;
  /** Last trace messages, already one line each. */
  traceTail?: string[];
  /**
   * Literal secret values of the launch (what `${input:...}` resolved to, secret env values...),
   * masked wherever they appear in the report.
   */
  secrets?: readonly string[];
}

/**
 * A Markdown code fence around `text`: one backtick more than the longest run of backticks in
 * it, so no line of server output (a ```` ``` ```` line included) can close it early.
 */
function fence(text: string, lang = ''): string {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    run = text.charCodeAt(i) === 96 ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  const ticks = '`'.repeat(Math.max(3, longest + 1));
  return `${ticks}${lang}\n${text}\n${ticks}`;
}

/**
 * A Markdown report to paste into an issue: versions, the redacted config, findings, the last
 * stderr lines and trace messages. Everything user-supplied passes through `redactText`.
 */
export function buildTroubleshootingReport(input: TroubleshootingReportInput): string {
  const { server, view } = input;
  const lines: string[] = [];
  lines.push(`# MCP Doctor report: \`${server.name}\``, '');
  lines.push('## Versions', '');
  lines.push(`- MCP Doctor: ${input.extensionVersion}`);
  if (input.vscodeVersion) lines.push(`- VS Code: ${input.vscodeVersion}`);
  lines.push(`- Node.js: ${process.version}`, `- OS: ${process.platform} ${process.arch}`);
  for (const [pkg, v] of Object.entries(input.lockfileVersions ?? {})) lines.push(`- ${pkg}: ${v}`);
  lines.push('');

  lines.push('## Server', '');
  lines.push(`- Config: \`${server.file}\` (${server.client}, ${server.scope}), line ${server.range.start.line + 1}`);
  lines.push(`- Transport: ${server.transport}${server.disabled ? ' (disabled)' : ''}`);
  if (server.unresolved.length)
    lines.push(`- Unresolved variables: ${server.unresolved.map((u) => `\`${u}\``).join(', ')}`);
  if (view) {
    const st = view.state;
    const state =
      st.kind === 'running'
        ? `running (initialize ${Math.round(st.initializeMs)} ms, protocol ${st.protocolVersion}${st.serverName ? `, ${st.serverName} ${st.serverVersion ?? ''}`.trimEnd() : ''})`
        : st.kind === 'error'
          ? `error: ${redactText(st.reason)}`
          : st.kind === 'stopped'
            ? `stopped${st.exitCode !== undefined && st.exitCode !== null ? ` (exit code ${st.exitCode})` : ''}${st.signal ? ` (signal ${st.signal})` : ''}`
            : 'starting';
    lines.push(`- State: ${state}`);
    lines.push(
      `- Tools: ${view.tools.length}, resources: ${view.resources.length}, resource templates: ${view.resourceTemplates.length}, prompts: ${view.prompts.length}`,
    );
  }
  lines.push('', 'Config (secrets redacted):', '');
  const redacted = redactServerConfig(server);
  const shown: Record<string, unknown> = {};
  for (const k of ['command', 'args', 'cwd', 'env', 'envFile', 'url', 'headers'] as const)
    if (redacted[k] !== undefined) shown[k] = redacted[k];
  lines.push(fence(JSON.stringify(shown, null, 2), 'json'), '');

  lines.push(`## Findings (${input.findings.length})`, '');
  if (!input.findings.length) lines.push('None.');
  for (const f of input.findings) {
    const where = `${f.file}:${f.range.start.line + 1}:${f.range.start.character + 1}`;
    const msg = redactText(f.message).split('\n');
    lines.push(`- **${f.severity}** \`${f.code}\` at \`${where}\`: ${msg[0]}`);
    if (msg.length > 1) lines.push('', fence(msg.slice(1).join('\n')).replace(/^/gm, '  '));
  }
  lines.push('');

  if (view?.toolStats.size) {
    lines.push(
      '## Tool calls',
      '',
      '| tool | calls | errors | p50 ms | p95 ms | max ms |',
      '|---|---|---|---|---|---|',
    );
    for (const [name, s] of view.toolStats)
      lines.push(
        `| ${name} | ${s.calls} | ${s.errors} | ${s.p50.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.max.toFixed(1)} |`,
      );
    lines.push('');
  }

  const stderr = view?.stderrTail.slice(-50) ?? [];
  lines.push(`## Last stderr lines (${stderr.length})`, '');
  lines.push(stderr.length ? fence(stderr.map(redactText).join('\n')) : 'None.', '');

  const trace = input.traceTail?.slice(-30) ?? [];
  if (trace.length)
    lines.push(
      `## Last trace messages (${trace.length})`,
      '',
      fence(trace.map((l) => redactText(l.length > 2000 ? l.slice(0, 2000) + '…' : l)).join('\n')),
      '',
    );
  let report = lines.join('\n');
  const secrets = [...(input.secrets ?? [])].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  for (const s of secrets) report = report.split(s).join('***');
  return report;
}

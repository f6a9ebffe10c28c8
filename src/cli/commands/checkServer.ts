import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { ServerConfig } from '../../core/config/types';
import { resolveVariables } from '../../core/config/variables';
import { compareFindings, type Finding } from '../../core/model';
import type { ClientFeatures, ElicitationAnswer } from '../../core/session/clientFeatures';
import { singleEra, toolEraDifference, type EraAttempt, type EraCall } from '../../core/session/eraDiagnosis';
import { defaultEnvironment } from '../../core/session/env';
import { McpSession } from '../../core/session/mcpSession';
import { VERSION } from '../../core/version';
import type { SignIn } from '../../core/auth/signIn';
import type { CliIo } from '../io';
import { cliSignIn } from '../signIn';

/** How long `check` waits for a server to exit after closing its stdin, before SIGTERM. */
const CHECK_STOP_GRACE_MS = 500;

/** A tool to call after the lists (`--call NAME[=JSON]`). */
export interface ToolCallSpec {
  name: string;
  args: Record<string, unknown>;
}

export interface CheckOptions {
  timeoutMs: number;
  era: 'auto' | '2025' | '2026' | 'both';
  calls: ToolCallSpec[];
  /** `--elicit FILE`: the answer to every elicitation (default: decline). */
  elicit?: ElicitationAnswer;
  /** `--sampling-reply`: the text of every sampling answer (default: decline). */
  samplingReply?: string;
  /** How long to wait for `list_changed` after the lists (a tool registered just after startup). */
  settleMs: number;
}

/** What one tool call returned, for the report. */
export interface CallReport {
  tool: string;
  era: '2025' | '2026';
  ok: boolean;
  ms: number;
  text: string;
  /** Requests the server made to the client during the call. */
  asked?: string[];
}

/** One connection in one era. */
export interface EraReport {
  era: 'auto' | '2025' | '2026';
  ok: boolean;
  state: string;
  protocolVersion?: string;
  negotiatedEra?: '2025' | '2026';
  initializeMs?: number;
  /** Streamable HTTP: the server issued an `Mcp-Session-Id`. */
  httpSession?: boolean;
  tools?: string[];
}

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
  /** The protocol era spoken (2025 or 2026) on the main connection. */
  era?: '2025' | '2026';
  serverInfo?: { name?: string; version?: string };
  tools?: number;
  resources?: number;
  resourceTemplates?: number;
  prompts?: number;
  stderrTail?: string[];
  /** `--era both`: each era's connection, side by side. */
  eras?: EraReport[];
  calls?: CallReport[];
  findings: Finding[];
}

/** The answers the CLI gives when a server asks: the files and texts given, or a decline. */
function cliFeatures(opts: CheckOptions, folder: string): ClientFeatures {
  return {
    elicit: async () => opts.elicit ?? { action: 'decline' },
    sample: async () =>
      opts.samplingReply !== undefined
        ? { text: opts.samplingReply, model: 'mcp-doctor-cli' }
        : { decline: 'mcp-doctor check declines sampling (answer with --sampling-reply TEXT|FILE)' },
    roots: () => [{ uri: pathToFileURL(folder).href, name: 'workspace' }],
  };
}

/** Reads `--elicit FILE`: an answer object (`{ "action": … }`) or the content to accept. */
export function readElicitAnswer(file: string): ElicitationAnswer {
  const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (v.action === 'decline' || v.action === 'cancel') return { action: v.action };
    if (v.action === 'accept')
      return { action: 'accept', content: (v.content as Record<string, unknown> | undefined) ?? {} };
    return { action: 'accept', content: v };
  }
  throw new Error('the file must hold a JSON object (the content to accept, or { "action": "decline" })');
}

/** One connection's report, summary for the server line, findings and calls. */
interface EraRun {
  report: EraReport;
  summary: Partial<CheckedServer>;
  findings: Finding[];
  calls: CallReport[];
}

/** Starts one server headless (in one or both eras), calls the tools asked for, and reports. */
export async function checkOne(
  server: ServerConfig,
  folder: string,
  home: string,
  io: CliIo,
  opts: CheckOptions,
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
  let resolved: ServerConfig & { unresolved: string[] };
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

  const eras = opts.era === 'both' ? (['2025', '2026'] as const) : ([opts.era] as const);
  const runs: EraRun[] = [];
  // One sign-in for the server, shared by the eras (a token is reused, the user asked once).
  const auth = resolved.url ? cliSignIn(resolved, io) : undefined;
  try {
    for (const era of eras) runs.push(await checkInEra(resolved, workspaceFolder, io, opts, era, active, auth));
  } finally {
    await auth?.dispose();
  }
  const main = runs.find((r) => r.report.ok) ?? runs[0];
  const out: CheckedServer = { ...base, ...main.summary, findings: dedupe(runs.flatMap((r) => r.findings)) };
  if (runs.length > 1) {
    out.eras = runs.map((r) => r.report);
    const subject = { name: server.name, file: server.file, range: server.range, url: resolved.url };
    const attempt = (r: EraRun): EraAttempt => ({
      era: r.report.era as '2025' | '2026',
      ok: r.report.ok,
      protocolVersion: r.report.protocolVersion,
      reason: r.report.state,
      tools: r.report.tools,
    });
    const era = singleEra(subject, attempt(runs[0]), attempt(runs[1]));
    if (era) {
      // Speaking one era only is the finding; the failed attempt in the other is its evidence.
      out.findings = out.findings.filter((f) => f.code !== 'MCP749');
      out.findings.push(era[1]);
    }
    for (const call of opts.calls) {
      const byEra: EraCall[] = runs.flatMap((r) => r.calls.filter((c) => c.tool === call.name));
      const diff = toolEraDifference(subject, call.name, byEra);
      if (!diff || !byEra.some((c) => c.ok)) continue;
      // The side-by-side comparison replaces what one era's run could say on its own.
      out.findings = out.findings.filter((f) => !(f.code === 'MCP743' && f.data?.tool === call.name));
      out.findings.push(diff[1]);
    }
  }
  out.calls = runs.flatMap((r) => r.calls);
  if (!out.calls.length) delete out.calls;
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
  out.findings.sort(compareFindings);
  return out;
}

async function checkInEra(
  server: ServerConfig,
  workspaceFolder: string,
  io: CliIo,
  opts: CheckOptions,
  era: 'auto' | '2025' | '2026',
  active: Set<McpSession>,
  auth: SignIn | undefined,
): Promise<EraRun> {
  const session = new McpSession({
    server,
    auth,
    workspaceFolder,
    era,
    startupTimeoutMs: opts.timeoutMs,
    baseEnv: defaultEnvironment(io.env),
    clientInfo: { name: 'mcp-doctor-check', version: VERSION },
    healthIntervalMs: 0,
    // The report is written: a server that does not exit within this of its stdin closing gets SIGTERM.
    stopGraceMs: CHECK_STOP_GRACE_MS,
    features: cliFeatures(opts, workspaceFolder),
  });
  active.add(session);
  try {
    await session.start();
    await settle(session, opts.settleMs);
    const calls: CallReport[] = [];
    const v0 = session.view();
    if (v0.state.kind === 'running')
      for (const call of opts.calls) {
        const r = await session.callTool(call.name, call.args);
        calls.push({
          tool: call.name,
          era: v0.state.era,
          ok: r.ok,
          ms: Math.round(r.durationMs),
          text: resultText(r),
          asked: r.backChannel?.map((e) => `${e.method}${e.outcome ? ` (${e.outcome})` : e.ok ? '' : ' (failed)'}`),
        });
      }
    await session.flushFindings();
    const v = session.view();
    const st = v.state;
    const report: EraReport = {
      era,
      ok: st.kind === 'running',
      state: st.kind === 'error' ? st.reason : st.kind,
    };
    const summary: Partial<CheckedServer> = {
      status: st.kind === 'running' ? 'ok' : 'failed',
      state: report.state,
    };
    if (st.kind === 'running') {
      Object.assign(report, {
        protocolVersion: st.protocolVersion,
        negotiatedEra: st.era,
        httpSession: st.transport === 'http' ? !!st.httpSession : undefined,
        initializeMs: Math.round(st.initializeMs),
        tools: v.tools.map((t) => t.name),
      });
      Object.assign(summary, {
        initializeMs: Math.round(st.initializeMs),
        protocolVersion: st.protocolVersion,
        era: st.era,
        serverInfo: { name: st.serverName, version: st.serverVersion },
        tools: v.tools.length,
        resources: v.resources.length,
        resourceTemplates: v.resourceTemplates.length,
        prompts: v.prompts.length,
      });
    } else summary.stderrTail = v.stderrTail.slice(-10);
    return { report, summary, findings: v.findings, calls };
  } finally {
    await session.dispose();
    active.delete(session);
  }
}

/**
 * Waits until the lists have been quiet for a moment: a server may register a tool and send
 * `list_changed` just after it answered the first `tools/list`.
 */
async function settle(session: McpSession, quietMs: number): Promise<void> {
  if (quietMs <= 0 || session.view().state.kind !== 'running') return;
  const deadline = Date.now() + quietMs * 4;
  await new Promise<void>((resolve) => {
    let timer = setTimeout(done, quietMs);
    const sub = session.onDidChangeLists(() => {
      clearTimeout(timer);
      timer = setTimeout(done, Math.max(0, Math.min(quietMs, deadline - Date.now())));
    });
    function done() {
      sub.dispose();
      resolve();
    }
  });
  await session.flushFindings();
}

function resultText(r: { ok: boolean; result?: unknown; error?: { message: string } }): string {
  const content = (r.result as { content?: unknown } | undefined)?.content;
  if (Array.isArray(content)) {
    const texts = content
      .map((c) =>
        c && typeof c === 'object' && typeof (c as { text?: unknown }).text === 'string'
          ? (c as { text: string }).text
          : '',
      )
      .filter(Boolean);
    if (texts.length) return texts.join(' ');
    if (r.ok) return JSON.stringify(r.result).slice(0, 500);
  }
  return r.error?.message ?? '';
}

/** Findings that both eras' runs reported once. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}\u0000${f.file}\u0000${f.range.start.line}\u0000${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

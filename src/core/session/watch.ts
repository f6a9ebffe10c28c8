import * as path from 'node:path';
import type { ServerConfig } from '../config/types';
import { detectMemoryGrowth, type HealthSample } from '../process/health';
import { locateTextInWorkspace } from '../runtime/locateText';
import { type Keyed, type Subject } from './diagnosis';
import { invalidMessage, memoryGrowth, stdoutPollution } from './runDiagnosis';
import type { FindingSet } from './findingSet';
import { detachedPrefix } from '../util/text';

const PY_COMMANDS = /^(python[\d.]*|py|uv|uvx|pipx|poetry|pdm|hatch|conda|pipenv|rye|fastmcp|mcp)$/i;
const NODE_COMMANDS = /^(node|npx|tsx|ts-node|bun|bunx|deno|npm|pnpm|pnpx|yarn)$/i;

/** Distinct polluting lines and kinds of malformed messages reported per start. */
const MAX_DISTINCT = 5;
/** Memory growth is judged on samples taken this long (at most) after the session is running. */
const GROWTH_WARMUP_MS = 10000;

export interface WatchOptions {
  server: ServerConfig;
  subject: Subject;
  workspaceFolder?: string;
  healthIntervalMs: number;
  /** Memory growth is judged over at least this much time (and never fewer than 12 samples). */
  growthWindowMs: number;
}

/**
 * Problems noticed while one start runs: stdout pollution (with the source line that printed
 * it, found in the workspace), lines that look like JSON-RPC but are not, and steady memory
 * growth. Locating pollution is asynchronous; `track` lets the session wait for it.
 */
export class RunWatch {
  private readonly noiseSeen = new Set<string>();
  private readonly invalidCounts = new Map<string, number>();
  private growthReported = false;
  private runningSince?: number;

  constructor(
    private readonly opts: WatchOptions,
    private readonly findings: FindingSet,
    private readonly track: (work: Promise<unknown>) => void,
  ) {}

  /** The session is running: memory growth is judged from now on, after a warm-up. */
  running(): void {
    this.runningSince = Date.now();
  }

  noise(line: string): void {
    // A copy: a slice would keep the whole (up to 64 MB) line alive for the session's lifetime.
    const key = detachedPrefix(line.trim(), 200);
    if (this.noiseSeen.has(key) || this.noiseSeen.size >= MAX_DISTINCT) return;
    this.noiseSeen.add(key);
    const lang = guessLanguage(this.opts.server);
    const work = (async () => {
      let code: 'MCP101' | 'MCP102' = lang === 'node' ? 'MCP102' : 'MCP101';
      let loc;
      if (this.opts.workspaceFolder) {
        const exts =
          lang === 'python' ? ['.py'] : lang === 'node' ? ['.ts', '.js', '.mjs', '.cjs', '.mts', '.cts'] : undefined;
        const found = await locateTextInWorkspace(this.opts.workspaceFolder, line, exts);
        if (found) {
          const start = { line: found.line, character: found.character };
          loc = {
            file: found.file,
            range: { start, end: { line: found.line, character: found.character + found.length } },
          };
          code = found.file.endsWith('.py') ? 'MCP101' : 'MCP102';
        }
      }
      this.findings.set(`${code}:${key}`, stdoutPollution(this.opts.subject, line, code, loc));
    })().catch(() => undefined);
    this.track(work);
  }

  /** A JSON-looking stdout line that is not JSON-RPC 2.0: one finding per kind of problem. */
  invalid(line: string, reason: string): void {
    // The kind is the reason without its parenthesised detail ("not valid JSON (Unexpected…)").
    const paren = reason.indexOf('(');
    const kind = (paren < 0 ? reason : reason.slice(0, paren)).trimEnd().slice(0, 80);
    const seen = this.invalidCounts.get(kind);
    if (seen === undefined && this.invalidCounts.size >= MAX_DISTINCT) return;
    const count = (seen ?? 0) + 1;
    this.invalidCounts.set(kind, count);
    this.findings.set(`MCP713:${kind}`, invalidMessage(this.opts.subject, line, reason, count));
  }

  /** A health sample was taken: report steady growth once, over a long enough window. */
  sampled(samples: readonly HealthSample[]): Keyed | undefined {
    if (this.growthReported || !this.runningSince) return undefined;
    // Startup (module loading, JIT, caches) is steady growth too: judge only after a warm-up.
    const interval = this.opts.healthIntervalMs;
    const warmup = Math.min(GROWTH_WARMUP_MS, 20 * interval);
    const warm = samples.filter((x) => x.ts >= this.runningSince! + warmup);
    const window = Math.min(720, Math.max(12, Math.ceil(this.opts.growthWindowMs / interval)));
    const v = detectMemoryGrowth(warm, { window });
    if (!v.growing) return undefined;
    this.growthReported = true;
    return memoryGrowth(this.opts.subject, v, samples[samples.length - 1].rssBytes);
  }
}

function guessLanguage(s: ServerConfig): 'python' | 'node' | undefined {
  const base = path.basename(s.command ?? '').replace(/\.(exe|cmd|bat)$/i, '');
  for (const a of s.args ?? []) {
    if (/\.py$/i.test(a)) return 'python';
    if (/\.(m|c)?[jt]s$/i.test(a)) return 'node';
  }
  if (PY_COMMANDS.test(base)) return 'python';
  if (NODE_COMMANDS.test(base)) return 'node';
  return undefined;
}

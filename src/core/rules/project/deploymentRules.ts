import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import type { Fix } from '../../model';
import type { ProjectContext, RuleHit } from '../types';
import { FLOORS, type NodeFloor, nodeMcpPackage, pythonMcpPackage } from './facts';
import { LineIndex } from './text';
import { isBelow } from './versions';

/**
 * Rules on deployment files: `Dockerfile` (MCP601 base image, MCP106 loopback bind, MCP110
 * several workers), `docker-compose*.yml` (the same through `image`, `command`, `environment`,
 * `deploy.replicas`) and `Procfile` (MCP110).
 */

const LOOPBACK = String.raw`(127\.0\.0\.1|localhost|::1|\[::1\])`;
const HOST_FLAG = new RegExp(String.raw`--host(?:["']?\s*,\s*["']|[= ]+["']?)${LOOPBACK}\b`, 'g');
const HOST_ENV = new RegExp(String.raw`\b((?:FASTMCP_|UVICORN_|MCP_)?HOST)\s*[=:]\s*["']?${LOOPBACK}`, 'g');
const WORKERS = /(?:--workers|(?<=\s|["'])-w)(?:["']?\s*,\s*["']|[= ]+["']?)(\d+)/g;
const CONCURRENCY = /\b(WEB_CONCURRENCY|GUNICORN_WORKERS)\s*[=:]\s*["']?(\d+)/g;

interface Ctx {
  file: string;
  text: string;
  lines: LineIndex;
  project: ProjectContext;
  hits: RuleHit[];
}

function pythonServer(ctx: Ctx): string | undefined {
  return (
    pythonMcpPackage(ctx.project) ??
    (wordsInOrder(ctx.text, [/\b(?:pip3?|uv|poetry)\b/g, /\b(?:install|add)\b/g, /\b(?:fastmcp|mcp)\b/g])
      ? /fastmcp/.test(ctx.text)
        ? 'fastmcp'
        : 'mcp'
      : undefined)
  );
}

/**
 * True when one line holds a match of each pattern, in order (`pip … install … mcp`). Each
 * pattern (with the `g` flag) searches on from where the previous one ended, so a line is read
 * once per pattern; one regex with `[^\n]*` between the words was cubic on a long line.
 */
function wordsInOrder(text: string, patterns: RegExp[]): boolean {
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    let at = 0;
    let all = true;
    for (const re of patterns) {
      re.lastIndex = at;
      const m = re.exec(line);
      if (!m) {
        all = false;
        break;
      }
      at = m.index + m[0].length;
    }
    if (all) return true;
    lineStart = lineEnd + 1;
  }
  return false;
}

function nodeServer(ctx: Ctx): NodeFloor | undefined {
  if (ctx.project.packages.has('@modelcontextprotocol/sdk')) return nodeMcpPackage(ctx.project);
  return (
    nodeMcpPackage(ctx.project) ??
    (/@modelcontextprotocol\/sdk/.test(ctx.text) || wordsInOrder(ctx.text, [/\bnpm\b/g, /\bfastmcp\b/g])
      ? {
          name: '@modelcontextprotocol/sdk',
          floor: FLOORS.nodeV1,
          certainty: 'proven',
          evidence: '@modelcontextprotocol/sdk (the newest release, which this file installs)',
        }
      : undefined)
  );
}

function mcpProject(ctx: Ctx): boolean {
  return !!pythonServer(ctx) || !!nodeServer(ctx) || /\bmcp\b/i.test(ctx.text);
}

/** MCP601 for an image reference (`python:3.9-slim`, `node:16`, `ghcr.io/astral-sh/uv:python3.9-bookworm`). */
function checkImage(ctx: Ctx, image: string, offset: number): void {
  const py =
    /(?:^|\/)python:(3\.(\d+))(?=[.-]|$)/.exec(image) ?? /(?:^|\/)uv:[\w.-]*?python(3\.(\d+))(?=[.-]|$)/.exec(image);
  if (py) {
    const pkg = pythonServer(ctx);
    if (pkg && isBelow(py[1], FLOORS.python)) {
      const start = offset + image.indexOf(py[1], py.index);
      const range = ctx.lines.range(start, start + py[1].length);
      ctx.hits.push({
        ruleId: 'MCP601',
        range,
        message: `The image runs Python ${py[1]}, but ${pkg} needs Python ${FLOORS.python} or newer: the install fails ("requires a different Python") or the server crashes at import. Use python:3.12 (or at least ${FLOORS.python}).`,
        fixes: [{ title: 'Use Python 3.12', edits: [{ file: ctx.file, range, newText: '3.12' }], preferred: true }],
        data: { runtime: 'python', declared: py[1], floor: FLOORS.python, package: pkg },
      });
    }
    return;
  }
  const node = /(?:^|\/)node:(\d+)(?=[.-]|$)/.exec(image);
  if (node) {
    const pkg = nodeServer(ctx);
    if (pkg && isBelow(node[1], pkg.floor)) {
      const start = offset + image.indexOf(node[1], node.index);
      const range = ctx.lines.range(start, start + node[1].length);
      const next = pkg.floor === '20' ? '22' : '20';
      ctx.hits.push({
        ruleId: 'MCP601',
        range,
        message: `The image runs Node ${node[1]}, but ${pkg.evidence} declares engines.node ">=${pkg.floor}"; below it the SDK is unsupported and the server can fail at startup. Use node:${next}.`,
        fixes: [{ title: `Use Node ${next}`, edits: [{ file: ctx.file, range, newText: next }], preferred: true }],
        data: { runtime: 'node', declared: node[1], floor: pkg.floor, package: pkg.name },
        ...(pkg.certainty === 'proven' ? {} : { severity: 'warning' as const }),
      });
    }
  }
}

const BIND_WHY =
  'inside a container a server listening on loopback cannot be reached through a published port ("connection refused")';

/**
 * MCP106/MCP110 on a command line (Dockerfile CMD/ENTRYPOINT, compose `command`, Procfile entry).
 * `offset` is where `command` starts in the file; `inContainer` enables the loopback checks.
 */
function checkCommand(
  ctx: Ctx,
  command: string,
  offset: number,
  inContainer: boolean,
  replaceHostFix: (start: number, end: number) => Fix[],
): void {
  if (inContainer) {
    let flagged = false;
    for (const m of command.matchAll(HOST_FLAG)) {
      const start = offset + m.index! + m[0].length - m[1].length;
      flagged = true;
      ctx.hits.push({
        ruleId: 'MCP106',
        range: ctx.lines.range(start, start + m[1].length),
        message: `The server is started with --host ${m[1]}; ${BIND_WHY}. Bind 0.0.0.0 in the container and publish the port as 127.0.0.1:PORT:PORT on the host if the server has no authentication.`,
        fixes: replaceHostFix(start, start + m[1].length),
      });
    }
    // uvicorn (and `fastmcp run --transport http`) default to 127.0.0.1 when --host is absent.
    // One class between `fastmcp` and `run` (three optional runs of `\s*` were cubic on spaces).
    const runner = /\b(uvicorn|fastmcp[\s"',]*run)\b/.exec(command);
    const httpRunner =
      runner && (runner[1] === 'uvicorn' || /--transport["',\s=]+(http|streamable-http|sse)/.test(command));
    if (!flagged && httpRunner && !/--host\b/.test(command) && !/HOST\s*[=:]\s*["']?0\.0\.0\.0/.test(ctx.text)) {
      const start = offset + runner!.index;
      const json = command.trim().startsWith('[');
      const end = offset + command.trimEnd().length;
      ctx.hits.push({
        ruleId: 'MCP106',
        range: ctx.lines.range(start, start + runner![1].length),
        message: `${runner![1].startsWith('fastmcp') ? 'fastmcp run' : 'uvicorn'} listens on 127.0.0.1 unless --host is given; ${BIND_WHY}. Add --host 0.0.0.0.`,
        fixes: [
          {
            title: 'Add --host 0.0.0.0',
            edits: [
              json
                ? { file: ctx.file, range: ctx.lines.range(end - 1, end - 1), newText: ', "--host", "0.0.0.0"' }
                : { file: ctx.file, range: ctx.lines.range(end, end), newText: ' --host 0.0.0.0' },
            ],
            preferred: true,
          },
        ],
      });
    }
  }
  for (const m of command.matchAll(WORKERS)) {
    const n = Number(m[1]);
    if (n <= 1) continue;
    const start = offset + m.index! + m[0].length - m[1].length;
    ctx.hits.push(workersHit(ctx, start, start + m[1].length, `${n} worker processes`, appModule(command)));
  }
}

/**
 * The ASGI app a uvicorn/gunicorn command serves (`uvicorn src.app.main:app`): the module, for
 * the project model to read whether its server keeps sessions.
 */
function appModule(command: string): string | undefined {
  const tokens = command.split(/[\s"',[\]]+/).filter(Boolean);
  const at = tokens.findIndex((t) => /(?:^|\/)(?:uvicorn|gunicorn)$/.test(t));
  if (at < 0) return undefined;
  for (const t of tokens.slice(at + 1)) {
    const m = /^([A-Za-z_][\w.]*):[A-Za-z_]\w*(?:\(\))?$/.exec(t);
    if (m) return m[1];
  }
  return undefined;
}

function workersHit(ctx: Ctx, start: number, end: number, what: string, app?: string): RuleHit {
  return {
    ruleId: 'MCP110',
    range: ctx.lines.range(start, end),
    message: `${what} serve this MCP server. Streamable HTTP sessions live in one process's memory, so follow-up requests that land on another worker fail with "404 Session not found" / "No valid session ID provided". Make the server stateless (stateless_http=True / sessionIdGenerator: undefined) or run one worker with sticky routing.`,
    // Whether the server keeps sessions is decided in its source, which this file cannot show.
    downgrade: true,
    data: { workers: what, ...(app ? { appModule: app } : {}) },
  };
}

function checkEnv(ctx: Ctx, text: string, offset: number, inContainer: boolean): void {
  if (inContainer) {
    for (const m of text.matchAll(HOST_ENV)) {
      const start = offset + m.index! + m[0].length - m[2].length;
      const range = ctx.lines.range(start, start + m[2].length);
      ctx.hits.push({
        ruleId: 'MCP106',
        range,
        message: `${m[1]}=${m[2]} makes the server listen on loopback; ${BIND_WHY}. Use 0.0.0.0 inside the container.`,
        fixes: [
          { title: 'Listen on 0.0.0.0', edits: [{ file: ctx.file, range, newText: '0.0.0.0' }], preferred: true },
        ],
      });
    }
  }
  for (const m of text.matchAll(CONCURRENCY)) {
    if (Number(m[2]) <= 1) continue;
    const start = offset + m.index! + m[0].length - m[2].length;
    ctx.hits.push(workersHit(ctx, start, start + m[2].length, `${m[1]}=${m[2]} worker processes`));
  }
}

/** Rules on a Dockerfile. */
export function dockerfileRules(file: string, text: string, project: ProjectContext): RuleHit[] {
  const ctx: Ctx = { file, text, lines: new LineIndex(text), project, hits: [] };
  const isMcp = mcpProject(ctx);
  // Instructions with `\` continuations joined; offsets stay those of the file.
  const re = /^[ \t]*([A-Za-z]+)[ \t]+((?:[^\n]*\\\r?\n)*[^\n]*)/gm;
  for (const m of text.matchAll(re)) {
    const keyword = m[1].toUpperCase();
    const args = m[2];
    const argsOffset = m.index! + m[0].length - args.length;
    if (keyword === 'FROM') {
      const image = /^(?:--platform=\S+\s+)?(\S+)/.exec(args);
      if (image) checkImage(ctx, image[1], argsOffset + image[0].length - image[1].length);
    } else if ((keyword === 'CMD' || keyword === 'ENTRYPOINT') && isMcp) {
      checkCommand(ctx, args, argsOffset, true, (s, e) => [
        {
          title: 'Listen on 0.0.0.0',
          edits: [{ file, range: ctx.lines.range(s, e), newText: '0.0.0.0' }],
          preferred: true,
        },
      ]);
    } else if (keyword === 'ENV' && isMcp) {
      checkEnv(ctx, args, argsOffset, true);
    }
  }
  return ctx.hits;
}

/** Rules on a Procfile (`web: uvicorn app:app --workers 4`). */
export function procfileRules(file: string, text: string, project: ProjectContext): RuleHit[] {
  const ctx: Ctx = { file, text, lines: new LineIndex(text), project, hits: [] };
  if (!mcpProject(ctx)) return [];
  for (const m of text.matchAll(/^[\w-]+:[ \t]*([^\n]*)/gm)) {
    checkCommand(ctx, m[1], m.index! + m[0].length - m[1].length, false, () => []);
  }
  return ctx.hits;
}

/** Rules on docker-compose files. */
export function composeRules(file: string, text: string, project: ProjectContext): RuleHit[] {
  const ctx: Ctx = { file, text, lines: new LineIndex(text), project, hits: [] };
  let doc;
  try {
    doc = parseDocument(text);
  } catch {
    return [];
  }
  const services = doc.get('services', true);
  if (!isMap(services)) return [];
  const isMcp = mcpProject(ctx);
  const slice = (node: YamlNode | null | undefined) =>
    node?.range ? { text: text.slice(node.range[0], node.range[1]), offset: node.range[0] } : undefined;
  for (const pair of services.items) {
    const service = pair.value;
    if (!isMap(service)) continue;
    const image = service.get('image', true);
    if (isScalar(image) && typeof image.value === 'string' && image.range) {
      // Quoted scalars start at the quote.
      const raw = text.slice(image.range[0], image.range[1]);
      checkImage(ctx, image.value, image.range[0] + Math.max(0, raw.indexOf(image.value)));
    }
    if (!isMcp) continue;
    const command = slice(service.get('command', true) as YamlNode | undefined);
    if (command) {
      checkCommand(ctx, command.text, command.offset, true, (s, e) => [
        {
          title: 'Listen on 0.0.0.0',
          edits: [{ file, range: ctx.lines.range(s, e), newText: '0.0.0.0' }],
          preferred: true,
        },
      ]);
    }
    const env = service.get('environment', true) as YamlNode | undefined;
    if (env && (isMap(env) || isSeq(env))) {
      const s = slice(env);
      if (s) checkEnv(ctx, s.text, s.offset, true);
    }
    const deploy = service.get('deploy', true);
    const replicas = isMap(deploy) ? deploy.get('replicas', true) : undefined;
    if (isScalar(replicas) && Number(replicas.value) > 1 && replicas.range) {
      ctx.hits.push(workersHit(ctx, replicas.range[0], replicas.range[1], `${replicas.value} replicas`));
    }
  }
  return ctx.hits;
}

import { createHash } from 'node:crypto';
import type { ServerConfig } from '../config/types';
import type { Finding } from '../model';
import type { ToolInfo } from '../session/types';

/**
 * Local checks for tool poisoning, shadowing and "rug pulls". Nothing is sent anywhere:
 * descriptions are scanned here, and each tool's definition is pinned by hash so a change
 * since the last run shows up as a finding with a diff.
 */

/** Characters that render as nothing or reorder text: a model reads them, a human does not see them. */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD]|\uDB40[\uDC00-\uDC7F]/g;

interface Pattern {
  re: RegExp;
  why: string;
}

/** Phrases aimed at the model rather than the user, and exfiltration instructions. */
const SUSPICIOUS: Pattern[] = [
  {
    re: /\bignore (all |any )?(previous|prior|above|earlier) (instructions|prompts?|rules)/i,
    why: 'tells the model to ignore its instructions',
  },
  {
    re: /\b(do not|don't|never) (tell|inform|mention|reveal|show)\b[^.]{0,40}\b(user|human)/i,
    why: 'tells the model to hide something from the user',
  },
  {
    re: /<\s*(important|system|instructions?|secret)\s*>/i,
    why: 'hides instructions in a pseudo-tag aimed at the model',
  },
  {
    re: /\b(before|prior to) (using|calling) (this|any other|the) tool\b[^.]{0,80}\b(read|send|call|pass|include)\b/i,
    why: 'gives the model a hidden precondition',
  },
  {
    re: /(~\/\.ssh|id_rsa|\.aws\/credentials|\.env\b|\/etc\/passwd|mcp\.json|claude_desktop_config\.json|\.cursor\/mcp\.json)/i,
    why: 'refers to a secret or config file',
  },
  {
    re: /\b(send|post|upload|forward|exfiltrate|transmit)\b[^.]{0,60}\b(to|at)\s+(https?:\/\/|[\w.-]+@)/i,
    why: 'tells the model to send data to an address',
  },
  {
    re: /\b(pass|include|put)\b[^.]{0,40}\b(contents?|secrets?|keys?|tokens?|passwords?)\b[^.]{0,40}\b(as|in(to)?) (the )?(parameter|argument|field|sidenote|note)/i,
    why: 'tells the model to smuggle data through a parameter',
  },
  { re: /\b(you are|act as) (now )?(a|an|the) /i, why: "tries to change the model's role" },
];

export interface PoisoningInput {
  server: Pick<ServerConfig, 'name' | 'file' | 'range'>;
  tools: ToolInfo[];
}

function at(server: PoisoningInput['server'], code: string, message: string, data: Record<string, unknown>): Finding {
  return {
    code,
    severity: 'warning',
    message,
    file: server.file,
    range: server.range,
    origin: 'runtime',
    server: server.name,
    data,
  };
}

/** Schema nodes and characters of text read per tool: a hostile schema cannot make the scan slow. */
const MAX_SCHEMA_NODES = 20_000;
const MAX_TEXT_CHARS = 1_000_000;
/** Schema members whose string values the model reads as text. */
const TEXT_KEYS = new Set(['description', 'title', 'default', 'const', 'examples', 'enum', 'x-description']);

/**
 * All text of a tool the model reads: description, title, and every string of its input and
 * output schemas under `description`, `title`, `enum`, `default`, `const` and `examples`, at
 * any depth (a walk with its own stack, bounded in nodes and characters, not in depth).
 */
function modelVisibleText(tool: ToolInfo): string[] {
  const texts = [tool.description ?? '', tool.title ?? ''];
  let chars = texts[0].length + texts[1].length;
  const add = (s: string) => {
    if (chars >= MAX_TEXT_CHARS) return;
    const t = s.length > MAX_TEXT_CHARS - chars ? s.slice(0, MAX_TEXT_CHARS - chars) : s;
    texts.push(t);
    chars += t.length;
  };
  const stack: { node: unknown; text: boolean }[] = [
    { node: tool.inputSchema, text: false },
    { node: tool.outputSchema, text: false },
  ];
  for (let seen = 0; stack.length && seen < MAX_SCHEMA_NODES && chars < MAX_TEXT_CHARS; seen++) {
    const { node, text } = stack.pop()!;
    if (typeof node === 'string') {
      if (text) add(node);
    } else if (Array.isArray(node)) {
      for (const v of node) stack.push({ node: v, text });
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node as Record<string, unknown>))
        stack.push({ node: value, text: text || TEXT_KEYS.has(key) });
    }
  }
  return texts.filter((t) => t.length > 0);
}

function visible(text: string): string {
  return text.replace(INVISIBLE, (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`);
}

/** Hidden instructions and invisible characters in tool descriptions and schemas. */
export function scanToolDescriptions(input: PoisoningInput): Finding[] {
  const findings: Finding[] = [];
  for (const tool of input.tools) {
    const texts = modelVisibleText(tool);
    const invisible = texts.flatMap((t) => t.match(INVISIBLE) ?? []);
    if (invisible.length > 0) {
      const codes = [...new Set(invisible.map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase()}`))];
      findings.push(
        at(
          input.server,
          'SEC-invisible-unicode',
          `Tool "${tool.name}" of server "${input.server.name}" has ${invisible.length} invisible or bidirectional characters (${codes.slice(0, 5).join(', ')}) in its description or schema. The model reads text you cannot see; inspect the description before trusting this server.`,
          { tool: tool.name, characters: codes },
        ),
      );
    }
    for (const text of texts) {
      const hit = SUSPICIOUS.find((p) => p.re.test(text));
      if (!hit) continue;
      const match = hit.re.exec(text)!;
      const start = Math.max(0, match.index - 30);
      const excerpt = visible(text.slice(start, match.index + match[0].length + 30)).replace(/\s+/g, ' ');
      findings.push(
        at(
          input.server,
          'SEC-hidden-instructions',
          `Tool "${tool.name}" of server "${input.server.name}" has a description that ${hit.why}: "…${excerpt}…". Descriptions go to the model verbatim; this is how tool poisoning works.`,
          { tool: tool.name, excerpt },
        ),
      );
      break;
    }
  }
  return findings;
}

/** The same tool name offered by two servers: the model may call the wrong one. */
export function findShadowedTools(servers: PoisoningInput[]): Finding[] {
  const owners = new Map<string, PoisoningInput['server'][]>();
  for (const s of servers) {
    for (const tool of new Set(s.tools.map((t) => t.name))) {
      owners.set(tool, [...(owners.get(tool) ?? []), s.server]);
    }
  }
  const findings: Finding[] = [];
  for (const [tool, list] of owners) {
    if (list.length < 2) continue;
    for (const server of list) {
      const others = list
        .filter((o) => o !== server)
        .map((o) => `"${o.name}"`)
        .join(', ');
      findings.push(
        at(
          server,
          'SEC-tool-shadowing',
          `Tool "${tool}" of server "${server.name}" has the same name as a tool of ${others}. A client that merges tool lists may call the wrong server; a malicious server can shadow a trusted one this way. Rename one, or disable one server.`,
          { tool, servers: list.map((o) => o.name) },
        ),
      );
    }
  }
  return findings;
}

/** What is pinned per tool: the parts the model sees and the client validates. */
interface ToolPin {
  hash: string;
  description: string;
  schema: string;
}

export type ToolPins = Record<string, ToolPin>;

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function pinTools(tools: ToolInfo[]): ToolPins {
  const pins: ToolPins = {};
  for (const tool of tools) {
    const description = tool.description ?? '';
    const schema = stable({ input: tool.inputSchema, output: tool.outputSchema ?? null, title: tool.title ?? null });
    pins[tool.name] = {
      hash: createHash('sha256').update(description).update('\0').update(schema).digest('hex'),
      description,
      schema,
    };
  }
  return pins;
}

/** A short line diff: removed lines with "-", added with "+", common prefix/suffix elided. */
export function lineDiff(before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const removed = a.slice(head, a.length - tail).map((l) => `- ${l}`);
  const added = b.slice(head, b.length - tail).map((l) => `+ ${l}`);
  return [...removed, ...added].join('\n');
}

/**
 * Compares this run's tools with the pins from the last run. Changed descriptions or
 * schemas are findings with a diff; new and removed tools are reported in `data` only.
 */
export function compareToolPins(
  server: PoisoningInput['server'],
  previous: ToolPins | undefined,
  current: ToolPins,
): Finding[] {
  if (!previous) return [];
  const findings: Finding[] = [];
  for (const [name, pin] of Object.entries(current)) {
    const old = previous[name];
    if (!old || old.hash === pin.hash) continue;
    const parts: string[] = [];
    if (old.description !== pin.description) parts.push(`description:\n${lineDiff(old.description, pin.description)}`);
    if (old.schema !== pin.schema) parts.push(`schema:\n${lineDiff(old.schema, pin.schema)}`);
    findings.push(
      at(
        server,
        'SEC-tool-changed',
        `Tool "${name}" of server "${server.name}" changed since the last run (${old.description !== pin.description ? 'description' : 'schema'}). A tool that changes after you approved it can be a rug pull; review the diff:\n${parts.join('\n')}`,
        { tool: name, diff: parts.join('\n') },
      ),
    );
  }
  const removed = Object.keys(previous).filter((n) => !(n in current));
  const added = Object.keys(current).filter((n) => !(n in previous));
  if (findings.length > 0 && (removed.length || added.length)) {
    findings[0].data = { ...findings[0].data, added, removed };
  }
  return findings;
}

/**
 * Renders the outcome of tools/call, resources/read and prompts/get as readable Markdown.
 * Pure (no vscode import) so it can be reused by other front ends.
 *
 * Everything here comes from a server, which may be hostile: free text goes through `mdText`
 * (HTML and Markdown syntax escaped), names and URIs through `mdCode` (a code span), bodies
 * into fenced blocks, and only base64 data of raster image types becomes an image.
 */
import { explainJsonRpcCode, imageSrc, parseJsonDocument, type OutcomeLike } from '../../core/results/record';

export type { OutcomeLike };

export interface RenderHeading {
  kind: 'tool' | 'resource' | 'prompt';
  /** Tool name, resource URI or prompt name. */
  name: string;
  server: string;
  args?: unknown;
}

const MAX_BLOCK_CHARS = 200_000;

/** Markdown document for one call outcome. */
export function renderOutcome(heading: RenderHeading, outcome: OutcomeLike): string {
  const out: string[] = [];
  const what = heading.kind === 'tool' ? 'Tool' : heading.kind === 'resource' ? 'Resource' : 'Prompt';
  out.push(`# ${what} ${mdCode(heading.name)} — ${mdText(heading.server)}`, '');
  if (outcome.isError) {
    out.push(
      '> **Failed: the tool returned an error** (`isError: true`). The call reached the server; the tool reported a failure.',
      '',
    );
  } else if (outcome.error) {
    const code = outcome.error.code;
    const why = outcome.timedOut
      ? 'No answer within the timeout (mcpDoctor.launch.toolCallTimeoutMs)'
      : outcome.cancelled
        ? 'Cancelled: notifications/cancelled was sent to the server'
        : explainJsonRpcCode(code);
    out.push(
      `> **Failed: the request failed**${typeof code === 'number' ? ` (JSON-RPC error ${code})` : ''}: ${mdText(String(outcome.error.message))}`,
      '>',
    );
    out.push(`> ${why}.`, '');
  } else if (!outcome.ok) {
    out.push('> **Failed: the call did not succeed.**', '');
  } else {
    out.push('> **Succeeded**', '');
  }
  out.push(`Duration: ${outcome.durationMs.toFixed(0)} ms`, '');
  if (heading.args !== undefined && !(isObject(heading.args) && Object.keys(heading.args).length === 0)) {
    out.push('## Arguments', '', ...fence(json(heading.args), 'json'), '');
  }
  if (outcome.error?.data !== undefined) out.push('## Error data', '', ...fence(json(outcome.error.data), 'json'), '');
  if (outcome.findings.length) {
    out.push('## Problems found in this call', '');
    for (const f of outcome.findings) out.push(`- **${mdText(f.code)}** (${mdText(f.severity)}): ${mdText(f.message)}`);
    out.push('');
  }
  const result = outcome.result;
  if (isObject(result)) {
    if (heading.kind === 'tool') renderToolResult(result, out);
    else if (heading.kind === 'resource') renderResourceResult(result, out);
    else renderPromptResult(result, out);
    out.push('## Raw result', '', ...fence(json(result), 'json'), '');
  }
  return out.join('\n');
}

function renderToolResult(result: Record<string, unknown>, out: string[]): void {
  const content = Array.isArray(result.content) ? result.content : [];
  out.push(`## Content (${content.length} item${content.length === 1 ? '' : 's'})`, '');
  content.forEach((item, i) => renderContent(item, i, out));
  if (result.structuredContent !== undefined) {
    out.push('## Structured content', '', ...fence(json(result.structuredContent), 'json'), '');
  }
}

function renderResourceResult(result: Record<string, unknown>, out: string[]): void {
  const contents = Array.isArray(result.contents) ? result.contents : [];
  out.push(`## Contents (${contents.length})`, '');
  for (const c of contents) renderResourceContents(c, out);
}

function renderPromptResult(result: Record<string, unknown>, out: string[]): void {
  if (typeof result.description === 'string') out.push(`_${mdText(result.description)}_`, '');
  const messages = Array.isArray(result.messages) ? result.messages : [];
  out.push(`## Messages (${messages.length})`, '');
  messages.forEach((m, i) => {
    const role = isObject(m) && typeof m.role === 'string' ? m.role : 'unknown';
    out.push(`### ${i + 1}. ${mdText(role)}`, '');
    renderContent(isObject(m) ? m.content : m, -1, out);
  });
}

function renderContent(item: unknown, index: number, out: string[]): void {
  const label = index >= 0 ? `### ${index + 1}. ` : '';
  if (!isObject(item)) {
    out.push(...fence(json(item), 'json'), '');
    return;
  }
  switch (item.type) {
    case 'text': {
      if (label) out.push(`${label}text`, '');
      const text = typeof item.text === 'string' ? item.text : '';
      const parsed = parseJsonDocument(text);
      out.push(...(parsed !== undefined ? fence(json(parsed), 'json') : fence(text, '')), '');
      break;
    }
    case 'image': {
      if (label) out.push(`${label}image (${mdText(String(item.mimeType ?? 'unknown type'))})`, '');
      const data = typeof item.data === 'string' ? item.data : '';
      const src = imageSrc(item.mimeType ?? 'image/png', data);
      out.push(
        src ? `![image](${src})` : '_not shown: not base64 data of a raster image type_',
        '',
        `_${approxBytes(data)} bytes_`,
        '',
      );
      break;
    }
    case 'audio': {
      if (label) out.push(`${label}audio (${mdText(String(item.mimeType ?? 'unknown type'))})`, '');
      out.push(`_${approxBytes(typeof item.data === 'string' ? item.data : '')} bytes of audio (not rendered)_`, '');
      break;
    }
    case 'resource': {
      if (label) out.push(`${label}embedded resource`, '');
      renderResourceContents(item.resource, out);
      break;
    }
    case 'resource_link': {
      if (label) out.push(`${label}resource link`, '');
      out.push(
        `- **${mdText(String(item.name ?? item.uri))}**: ${mdCode(String(item.uri))}${item.mimeType ? ` (${mdText(String(item.mimeType))})` : ''}`,
      );
      if (typeof item.description === 'string') out.push(`  ${mdText(item.description)}`);
      out.push('');
      break;
    }
    default:
      if (label) out.push(`${label}${mdText(String(item.type ?? 'unknown'))}`, '');
      out.push(...fence(json(item), 'json'), '');
  }
}

function renderResourceContents(c: unknown, out: string[]): void {
  if (!isObject(c)) {
    out.push(...fence(json(c), 'json'), '');
    return;
  }
  const mime = typeof c.mimeType === 'string' ? c.mimeType : '';
  out.push(`${mdCode(String(c.uri ?? ''))}${mime ? ` — ${mdText(mime)}` : ''}`, '');
  if (typeof c.text === 'string') {
    const lang = /json/.test(mime) ? 'json' : /markdown/.test(mime) ? 'markdown' : /html/.test(mime) ? 'html' : '';
    out.push(...fence(c.text, lang), '');
  } else if (typeof c.blob === 'string') {
    const src = mime.startsWith('image/') ? imageSrc(mime, c.blob) : undefined;
    if (src) out.push(`![${mdText(String(c.uri ?? 'image'))}](${src})`, '');
    out.push(`_binary, ${approxBytes(c.blob)} bytes_`, '');
  }
}

/** A fenced code block whose fence is longer than any backtick run inside the text. */
function fence(text: string, lang: string): string[] {
  const clipped =
    text.length > MAX_BLOCK_CHARS
      ? `${text.slice(0, MAX_BLOCK_CHARS)}\n… (${text.length - MAX_BLOCK_CHARS} more characters)`
      : text;
  const longest = Math.max(2, ...(clipped.match(/`+/g) ?? []).map((m) => m.length));
  const f = '`'.repeat(longest + 1);
  return [`${f}${lang}`, clipped, f];
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

function approxBytes(base64: string): number {
  return Math.floor((base64.length * 3) / 4);
}

function oneLine(s: string): string {
  // One greedy run per match (linear); `\s*\n\s*` was quadratic on long blank runs.
  return s.replace(/\s+/g, (m) => (m.includes('\n') ? ' ' : m));
}

/**
 * Server text as inline Markdown that renders literally: one line, HTML special characters as
 * entities (no tags, no attributes, no `javascript:` links) and Markdown syntax backslash-escaped.
 */
export function mdText(s: string): string {
  return oneLine(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]()#!|~{}]/g, '\\$&');
}

/** Server text as an inline code span (literal, HTML inert), delimited by more backticks than it contains. */
export function mdCode(s: string): string {
  const text = oneLine(s);
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const ticks = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text === '' ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Turns the outcome of tools/call, resources/read and prompts/get into a `ResultRecord` the
 * result view draws block by block, and keeps each server's recent records. Pure: no vscode.
 *
 * A server may send anything: every field is checked for its type, long texts are cut, and a
 * medium becomes a `data:` URL only when its type is allowed and its data is base64.
 */
import type { ResultBlock, ResultKind, ResultRecord, ResultStatus } from '../../shared/results';

/** The parts of a call outcome (`CallOutcome` of the session) a record is made from. */
export interface OutcomeLike {
  ok: boolean;
  result?: unknown;
  isError?: boolean;
  error?: { code?: number; message: string; data?: unknown };
  durationMs: number;
  findings: readonly { code: string; severity: string; message: string }[];
  cancelled?: boolean;
  timedOut?: boolean;
}

export interface RecordInput {
  kind: ResultKind;
  name: string;
  serverId: string;
  serverName: string;
  args?: unknown;
  /** The tool's `outputSchema`, when the server declared one. */
  outputSchema?: unknown;
  outcome: OutcomeLike;
  /** Epoch ms (default: now). */
  at?: number;
}

/** Characters of one text block kept for display. */
const MAX_TEXT = 200_000;
/** Characters of the pretty-printed raw result kept for display. */
const MAX_RAW = 500_000;
/** Base64 characters of one image or audio clip shown inline (~6 MB decoded). */
const MAX_MEDIA_BASE64 = 8_000_000;

/** Raster image types shown inline; SVG (which can carry script) and anything else is not. */
const IMAGE_MIME = /^image\/(png|jpe?g|gif|webp|bmp|x-icon|vnd\.microsoft\.icon|avif)$/i;
/** Audio types a browser plays from a data URL. */
const AUDIO_MIME = /^audio\/(wav|x-wav|wave|mpeg|mp3|ogg|webm|aac|flac|x-flac|mp4|x-m4a)$/i;
const BASE64 = /^[A-Za-z0-9+/=\s]*$/;

/** A `data:` URL for base64 data of an allowed type, or why not. */
function mediaSrc(mime: unknown, data: unknown, allowed: RegExp): { src?: string; why?: string } {
  if (typeof mime !== 'string' || !allowed.test(mime)) return { why: `type ${String(mime)} is not shown inline` };
  if (typeof data !== 'string' || !BASE64.test(data)) return { why: 'the data is not base64' };
  if (data.length > MAX_MEDIA_BASE64) return { why: 'too large to show inline' };
  return { src: `data:${mime.toLowerCase()};base64,${data.replace(/\s+/g, '')}` };
}

/** A `data:` URL for a raster image, or undefined (the Markdown rendering uses it too). */
export function imageSrc(mime: unknown, data: string): string | undefined {
  return mediaSrc(mime, data, IMAGE_MIME).src;
}

/** What a JSON-RPC error code means, in words (standard codes and the MCP SDK's). */
export function explainJsonRpcCode(code: number | undefined): string {
  switch (code) {
    case -32700:
      return 'Parse error: the server received invalid JSON';
    case -32600:
      return 'Invalid request: the message is not a valid JSON-RPC request';
    case -32601:
      return 'Method not found: the server does not implement this method (is the capability declared?)';
    case -32602:
      return 'Invalid params: the arguments do not match what the server expects (check the input schema)';
    case -32603:
      return 'Internal error: the server failed while handling the request (see its stderr in the terminal)';
    case -32000:
      return 'Connection closed: the server went away before answering';
    case -32001:
      return 'Request timed out: no answer within the timeout (mcpDoctor.launch.toolCallTimeoutMs)';
    case -32002:
      return 'Resource not found';
    case -32042:
      return 'URL elicitation required';
    case undefined:
      return 'No JSON-RPC error code';
    default:
      if (code <= -32000 && code >= -32099) return 'Server error (implementation-defined code)';
      return 'Application-defined error code';
  }
}

function statusOf(o: OutcomeLike): ResultStatus {
  if (o.isError) return 'tool-error';
  if (o.timedOut) return 'timeout';
  if (o.cancelled) return 'cancelled';
  return o.ok ? 'ok' : 'error';
}

/** A record for one call outcome. */
export function toResultRecord(input: RecordInput, id: number): ResultRecord {
  const o = input.outcome;
  const status = statusOf(o);
  const record: ResultRecord = {
    id,
    kind: input.kind,
    name: input.name,
    serverId: input.serverId,
    serverName: input.serverName,
    at: input.at ?? Date.now(),
    durationMs: o.durationMs,
    status,
    blocks: [],
    findings: o.findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message })),
  };
  if (input.args !== undefined && !(isObject(input.args) && Object.keys(input.args).length === 0))
    record.args = input.args;
  if (o.error) {
    record.error = {
      code: o.error.code,
      message: String(o.error.message),
      explanation:
        status === 'tool-error'
          ? 'The call reached the server; the tool reported a failure (isError: true)'
          : status === 'timeout'
            ? 'No answer within the timeout (mcpDoctor.launch.toolCallTimeoutMs)'
            : status === 'cancelled'
              ? 'Cancelled: notifications/cancelled was sent to the server'
              : explainJsonRpcCode(o.error.code),
      ...(o.error.data !== undefined ? { data: o.error.data } : {}),
    };
  }
  const result = o.result;
  if (isObject(result)) {
    if (input.kind === 'tool') {
      record.blocks = (Array.isArray(result.content) ? result.content : []).map(contentBlock);
      if (result.structuredContent !== undefined) record.structuredContent = result.structuredContent;
      if (input.outputSchema !== undefined) record.outputSchema = input.outputSchema;
    } else if (input.kind === 'resource') {
      record.blocks = (Array.isArray(result.contents) ? result.contents : []).map(resourceBlock);
    } else {
      if (typeof result.description === 'string') record.description = result.description;
      record.blocks = (Array.isArray(result.messages) ? result.messages : []).map((m): ResultBlock => {
        const role = isObject(m) && typeof m.role === 'string' ? m.role : 'unknown';
        const content = isObject(m) ? m.content : m;
        return { type: 'message', role, blocks: (Array.isArray(content) ? content : [content]).map(contentBlock) };
      });
    }
    const raw = json(result);
    record.raw = raw.length > MAX_RAW ? raw.slice(0, MAX_RAW) : raw;
    if (raw.length > MAX_RAW) record.rawClipped = raw.length - MAX_RAW;
  }
  return record;
}

function contentBlock(item: unknown): ResultBlock {
  if (!isObject(item)) return { type: 'other', label: typeof item, value: item };
  switch (item.type) {
    case 'text':
      return textBlock(typeof item.text === 'string' ? item.text : '');
    case 'image':
    case 'audio': {
      const data = typeof item.data === 'string' ? item.data : '';
      const mimeType = typeof item.mimeType === 'string' ? item.mimeType : 'unknown type';
      const media = mediaSrc(item.mimeType, item.data, item.type === 'image' ? IMAGE_MIME : AUDIO_MIME);
      return { type: item.type, mimeType, bytes: base64Bytes(data), ...media };
    }
    case 'resource_link':
      return {
        type: 'resource_link',
        uri: String(item.uri ?? ''),
        ...optionalStrings(item, ['name', 'title', 'description', 'mimeType'] as const),
      };
    case 'resource':
      return resourceBlock(item.resource);
    default:
      return { type: 'other', label: typeof item.type === 'string' ? item.type : 'unknown', value: item };
  }
}

function resourceBlock(c: unknown): ResultBlock {
  if (!isObject(c)) return { type: 'other', label: 'resource', value: c };
  const mimeType = typeof c.mimeType === 'string' ? c.mimeType : undefined;
  const block: Extract<ResultBlock, { type: 'resource' }> = { type: 'resource', uri: String(c.uri ?? '') };
  if (mimeType) block.mimeType = mimeType;
  if (typeof c.text === 'string') {
    const t = textBlock(c.text);
    if (t.type === 'text') {
      block.text = t.text;
      if (t.json !== undefined) block.json = t.json;
      if (t.clipped) block.clipped = t.clipped;
    }
  } else if (typeof c.blob === 'string') {
    block.bytes = base64Bytes(c.blob);
    const src = mediaSrc(mimeType, c.blob, IMAGE_MIME).src;
    if (src) block.src = src;
  }
  return block;
}

function textBlock(text: string): ResultBlock {
  const block: ResultBlock = { type: 'text', text: text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text };
  if (text.length > MAX_TEXT) block.clipped = text.length - MAX_TEXT;
  else {
    const parsed = parseJsonDocument(text);
    if (parsed !== undefined) block.json = parsed;
  }
  return block;
}

/** The text as JSON when it is an object or an array; undefined otherwise. */
export function parseJsonDocument(text: string): unknown {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

function optionalStrings<K extends string>(o: Record<string, unknown>, keys: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const k of keys) if (typeof o[k] === 'string') out[k] = o[k];
  return out;
}

function base64Bytes(data: string): number {
  return Math.floor((data.length * 3) / 4);
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The recent records of one server, newest last: at most `maxRecords`, and the oldest are
 * dropped while the records together hold more than `maxChars` characters of data.
 */
export class ResultHistory {
  private readonly records: { record: ResultRecord; chars: number }[] = [];
  private chars = 0;

  constructor(
    private readonly maxRecords = 20,
    private readonly maxChars = 40_000_000,
  ) {}

  add(record: ResultRecord): void {
    const chars = approxChars(record);
    this.records.push({ record, chars });
    this.chars += chars;
    while (this.records.length > 1 && (this.records.length > this.maxRecords || this.chars > this.maxChars)) {
      this.chars -= this.records.shift()!.chars;
    }
  }

  list(): ResultRecord[] {
    return this.records.map((r) => r.record);
  }

  get(id: number): ResultRecord | undefined {
    return this.records.find((r) => r.record.id === id)?.record;
  }
}

/** Characters a record holds in its big fields (texts, media, raw JSON). */
function approxChars(r: ResultRecord): number {
  let n = r.raw?.length ?? 0;
  const visit = (b: ResultBlock) => {
    if (b.type === 'text') n += b.text.length;
    else if (b.type === 'image' || b.type === 'audio') n += b.src?.length ?? 0;
    else if (b.type === 'resource') n += (b.text?.length ?? 0) + (b.src?.length ?? 0);
    else if (b.type === 'message') b.blocks.forEach(visit);
  };
  r.blocks.forEach(visit);
  return n;
}

import type { DiffLine, DisplayEntry, EntryDetail } from '../../shared/protocol';
import { isSecretKey, NO_SECRETS, REDACTED, redactJsonText, redactString, redactValue } from './redact';
import type { TraceEntry } from './types';

/**
 * Host-side preparation of what the trace webview shows: compact rows, pretty JSON for the
 * detail pane, and result diffs for replay. Everything here is redacted.
 */

const PREVIEW_CHARS = 160;
/** Detail JSON beyond this is cut for display (copy/export still give everything). */
const DETAIL_MAX_CHARS = 256 * 1024;

/**
 * The compact row for one entry. `secrets`: literal values masked wherever they appear (the
 * session's env and header secrets, `TraceRecorder.secrets`), on top of the token formats.
 */
export function toDisplayEntry(e: TraceEntry, sx: number, secrets: readonly string[] = NO_SECRETS): DisplayEntry {
  const d: DisplayEntry = {
    sx,
    seq: e.seq,
    ts: e.ts,
    dir: e.dir,
    kind: e.kind,
    label: '',
    size: e.size,
    status: e.status,
  };
  if (e.kind !== 'message') {
    // Redact what is shown (with a margin, so a token at the cut is not shown half), not a whole 100 KB line.
    d.label = redactString((typeof e.msg === 'string' ? e.msg : boundedJson(e.msg, 400)).slice(0, 656), secrets).slice(
      0,
      400,
    );
    if (e.parent) d.parent = e.parent;
    return d;
  }
  if (e.method) d.method = e.method;
  if (e.tool) d.tool = e.tool;
  if (e.latencyMs !== undefined) d.latencyMs = Math.round(e.latencyMs * 1000) / 1000;
  if (e.errorCode !== undefined) d.errorCode = e.errorCode;
  if (e.pair) d.pair = e.pair;
  if (e.parent) d.parent = e.parent;
  if (e.input) {
    d.input = e.input;
    if (e.inputLatencyMs !== undefined) d.inputLatencyMs = Math.round(e.inputLatencyMs * 1000) / 1000;
  }
  if (e.truncated) d.truncated = true;
  const m = (e.msg ?? {}) as Record<string, unknown>;
  switch (e.shape) {
    case 'request':
    case 'notification': {
      // Bounded like every label: a hostile peer may send a megabyte method name.
      d.label = (e.method ?? '?').slice(0, 400);
      const params = m.params as Record<string, unknown> | undefined;
      const answers = e.shape === 'request' ? inputAnswers(params) : undefined;
      if (answers) {
        // A 2026-07-28 retry: what it answers reads better than the repeated arguments.
        d.label = `${d.label} + input responses`.slice(0, 400);
        d.preview = previewOf(answers, secrets);
      } else d.preview = previewOf(e.method === 'tools/call' ? params?.arguments : params, secrets);
      break;
    }
    case 'response': {
      const asks = inputAsks(m.result);
      if (asks) {
        d.label = `input_required: ${[...new Set(asks.methods)].join(', ')}`.slice(0, 400);
        d.preview = redactString(asks.messages.join(' · '), secrets).slice(0, PREVIEW_CHARS);
        break;
      }
      d.label = e.status === 'tool-error' ? 'result (isError)' : 'result';
      d.preview = resultPreview(m.result, secrets);
      break;
    }
    case 'error': {
      const err = (m.error ?? {}) as Record<string, unknown>;
      d.label = `error ${typeof err.code === 'number' ? err.code : ''}`.trim();
      d.preview = redactString(
        (typeof err.message === 'string' ? err.message : boundedJson(err.message ?? '', PREVIEW_CHARS)).slice(
          0,
          PREVIEW_CHARS + 256,
        ),
        secrets,
      ).slice(0, PREVIEW_CHARS);
      break;
    }
    default:
      d.label = Array.isArray(e.msg) ? 'batch' : 'invalid message';
      d.preview = previewOf(e.msg, secrets);
  }
  return d;
}

/** The input requests of an `input_required` result (2026-07-28): their methods and messages. */
function inputAsks(result: unknown): { methods: string[]; messages: string[]; requests: unknown } | undefined {
  const r = result as Record<string, unknown> | undefined;
  if (!r || r.resultType !== 'input_required') return undefined;
  const requests = r.inputRequests && typeof r.inputRequests === 'object' ? r.inputRequests : {};
  const methods: string[] = [];
  const messages: string[] = [];
  for (const req of Object.values(requests as Record<string, unknown>)) {
    const q = req as { method?: unknown; params?: { message?: unknown } } | undefined;
    methods.push(typeof q?.method === 'string' ? q.method.slice(0, 100) : '?');
    if (typeof q?.params?.message === 'string') messages.push(q.params.message);
  }
  if (!methods.length) methods.push(r.requestState !== undefined ? 'requestState' : '?');
  return {
    methods,
    messages,
    requests: r.requestState === undefined ? requests : { ...requests, requestState: r.requestState },
  };
}

/** The answers a retried request carries (`inputResponses`, or only an echoed `requestState`). */
function inputAnswers(params: Record<string, unknown> | undefined): unknown {
  if (!params) return undefined;
  if (params.inputResponses !== undefined) return params.inputResponses;
  return params.requestState !== undefined ? { requestState: params.requestState } : undefined;
}

/** A tool result's text content reads better than its JSON. */
function resultPreview(result: unknown, secrets: readonly string[]): string {
  const r = result as Record<string, unknown> | undefined;
  const content = r?.content;
  if (Array.isArray(content) && content.length > 0) {
    const first = content[0] as Record<string, unknown>;
    if (first?.type === 'text' && typeof first.text === 'string')
      return redactString(first.text.slice(0, PREVIEW_CHARS * 2), secrets).slice(0, PREVIEW_CHARS);
  }
  return previewOf(result, secrets);
}

function previewOf(v: unknown, secrets: readonly string[]): string {
  if (v === undefined) return '';
  return boundedJson(v, PREVIEW_CHARS, secrets).slice(0, PREVIEW_CHARS);
}

/**
 * Compact, redacted JSON of `v` that stops once `limit` characters are produced, so a
 * preview of a 10 MB payload costs as much as one of a small payload.
 */
export function boundedJson(v: unknown, limit: number, secrets: readonly string[] = NO_SECRETS): string {
  let out = '';
  const walk = (x: unknown, depth: number): void => {
    if (out.length > limit) return;
    // Redact before cutting (with margin), so a token at the cut is not shown half.
    if (typeof x === 'string')
      out += JSON.stringify(redactString(x.length > limit + 256 ? x.slice(0, limit + 256) : x, secrets));
    else if (typeof x === 'number' || typeof x === 'boolean') out += String(x);
    else if (x === null || x === undefined) out += 'null';
    else if (depth > 20) out += '…';
    else if (Array.isArray(x)) {
      out += '[';
      for (let i = 0; i < x.length && out.length <= limit; i++) {
        if (i) out += ',';
        walk(x[i], depth + 1);
      }
      out += ']';
    } else if (typeof x === 'object') {
      out += '{';
      let first = true;
      for (const k in x as Record<string, unknown>) {
        if (out.length > limit) break;
        const val = (x as Record<string, unknown>)[k];
        if (val === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += `${JSON.stringify(k)}:`;
        if (typeof val === 'string' && val && isSecretKey(k)) out += JSON.stringify(REDACTED);
        // The preview of a truncated payload is JSON text: its secret-keyed values are redacted too.
        else if (k === 'preview' && typeof val === 'string' && (x as Record<string, unknown>).$truncated === true)
          out += JSON.stringify(redactJsonText(val, secrets));
        else walk(val, depth + 1);
      }
      out += '}';
    }
  };
  walk(v, 0);
  return out;
}

/** Pretty, redacted JSON for the detail pane, cut at `max` characters. */
export function prettyJson(
  msg: unknown,
  max = DETAIL_MAX_CHARS,
  secrets: readonly string[] = NO_SECRETS,
): { json: string; cut: boolean } {
  if (typeof msg === 'string') {
    const s = redactString(msg, secrets);
    return s.length > max ? { json: s.slice(0, max), cut: true } : { json: s, cut: false };
  }
  let json: string;
  try {
    json = JSON.stringify(redactValue(msg, secrets), null, 2) ?? 'undefined';
  } catch (err) {
    json = `/* cannot serialize: ${String(err)} */`;
  }
  return json.length > max ? { json: json.slice(0, max), cut: true } : { json, cut: false };
}

/**
 * The confirmation shown before a request from a stored or imported trace is sent to a running
 * server: such a file may come from anyone, and its header may name any server id. The text
 * shows exactly what would be sent (redacted and cut for display).
 */
export function replayConfirmation(
  req: { method: string; params: unknown },
  session: { serverName: string; origin: string; file?: string },
  secrets: readonly string[] = NO_SECRETS,
): { message: string; detail: string } {
  const args = prettyJson(req.params ?? {}, 2000, secrets);
  const from = session.file ? `${session.origin} trace ${session.file}` : `${session.origin} trace`;
  return {
    message: `Send ${req.method.slice(0, 200)} to the running server "${session.serverName}"?`,
    detail: [
      `This request comes from a ${from}, not from this session. The server will run it now.`,
      '',
      `Method: ${req.method.slice(0, 200)}`,
      `Arguments:${args.cut ? ' (cut)' : ''}`,
      args.json,
    ].join('\n'),
  };
}

/** Everything the detail pane needs for one entry. */
export function buildDetail(
  e: TraceEntry,
  sx: number,
  pair?: TraceEntry,
  parent?: TraceEntry,
  secrets: readonly string[] = NO_SECRETS,
  input?: TraceEntry,
): EntryDetail {
  const d: EntryDetail = { entry: toDisplayEntry(e, sx, secrets), ...prettyJson(e.msg, DETAIL_MAX_CHARS, secrets) };
  if (pair) d.pair = { entry: toDisplayEntry(pair, sx, secrets), ...prettyJson(pair.msg, DETAIL_MAX_CHARS, secrets) };
  if (parent) d.parent = toDisplayEntry(parent, sx, secrets);
  // 2026-07-28: the input requests (in an `input_required` result) beside their answers (in the retry).
  const asked = e.shape === 'response' ? e : input?.shape === 'response' ? input : undefined;
  const answered = asked === e ? input : asked ? e : undefined;
  const asks = asked && inputAsks((asked.msg as { result?: unknown } | undefined)?.result);
  if (asked && asks) {
    const answers = inputAnswers((answered?.msg as { params?: Record<string, unknown> } | undefined)?.params);
    d.input = {
      asked: toDisplayEntry(asked, sx, secrets),
      answered: answered && toDisplayEntry(answered, sx, secrets),
      requests: prettyJson(asks.requests, DETAIL_MAX_CHARS, secrets).json,
      responses: answers === undefined ? undefined : prettyJson(answers, DETAIL_MAX_CHARS, secrets).json,
    };
  }
  return d;
}

/**
 * Request params edited in the view, which showed them redacted: every value left as it was
 * shown (`***`, a masked token) is put back to the recorded value, so an edited replay sends the
 * recorded secrets unless the user typed new ones, and the view never held them.
 */
export function restoreRedacted(edited: unknown, recorded: unknown, secrets: readonly string[] = NO_SECRETS): unknown {
  return restore(edited, recorded, undefined, secrets, 0);
}

function restore(
  edited: unknown,
  recorded: unknown,
  key: string | undefined,
  secrets: readonly string[],
  depth: number,
): unknown {
  if (typeof edited === 'string' && typeof recorded === 'string') {
    const shown = key !== undefined && recorded !== '' && isSecretKey(key) ? REDACTED : redactString(recorded, secrets);
    return edited === shown ? recorded : edited;
  }
  if (depth > 64 || !edited || typeof edited !== 'object' || !recorded || typeof recorded !== 'object') return edited;
  if (Array.isArray(edited))
    return Array.isArray(recorded)
      ? edited.map((v, i) => restore(v, recorded[i], undefined, secrets, depth + 1))
      : edited;
  if (Array.isArray(recorded)) return edited;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(edited as Record<string, unknown>))
    out[k] = restore(v, (recorded as Record<string, unknown>)[k], k, secrets, depth + 1);
  return out;
}

/**
 * Line diff (Myers, O((N+M)·D)) of two texts. Falls back to "all removed, all added" when the
 * edit distance exceeds `maxEdits`, so a diff never takes long.
 */
export function diffLines(oldText: string, newText: string, maxEdits = 2000): DiffLine[] {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  // Common prefix/suffix first: replays usually differ in a few lines.
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const A = a.slice(pre, a.length - suf);
  const B = b.slice(pre, b.length - suf);
  const head: DiffLine[] = a.slice(0, pre).map((text) => ({ op: '=', text }));
  const tail: DiffLine[] = a.slice(a.length - suf).map((text) => ({ op: '=', text }));
  const mid = myers(A, B, maxEdits) ?? [
    ...A.map((text): DiffLine => ({ op: '-', text })),
    ...B.map((text): DiffLine => ({ op: '+', text })),
  ];
  return [...head, ...mid, ...tail];
}

function myers(a: string[], b: string[], maxEdits: number): DiffLine[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const off = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    const nv = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      nv[off + k] = x;
      if (x >= n && y >= m) {
        trace.push(nv);
        return backtrack(a, b, trace, d, off);
      }
    }
    v = nv;
  }
  return undefined;
}

function backtrack(a: string[], b: string[], trace: Int32Array[], dEnd: number, off: number): DiffLine[] {
  const out: DiffLine[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = dEnd; d > 0; d--) {
    const v = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? k + 1 : k - 1;
    const prevX = v[off + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      out.push({ op: '=', text: a[--x] });
      y--;
    }
    if (x === prevX) out.push({ op: '+', text: b[--y] });
    else out.push({ op: '-', text: a[--x] });
  }
  while (x > 0 && y > 0) {
    out.push({ op: '=', text: a[--x] });
    y--;
  }
  return out.reverse();
}

/**
 * The "MCP Trace" webview: a virtualized list of every JSON-RPC message (fixed row height,
 * only visible rows in the DOM), filters, a detail pane with the paired request/response,
 * per-tool statistics and replay diffs. Talks to the host only through `src/shared/protocol`.
 * Server data is only ever set through `textContent` / attributes.
 */
import {
  ClearCommand,
  CopyCommand,
  DidAppendNotification,
  DidChangeSessionsNotification,
  DidChangeStatsNotification,
  DidNotifyNotification,
  DidResetNotification,
  DidSelectNotification,
  DidSetFilterNotification,
  ExportCommand,
  GetDetailRequest,
  HISTOGRAM_BUCKETS_MS,
  ImportCommand,
  IpcEndpoint,
  OpenDefinitionCommand,
  ReadyCommand,
  ReplayRequest,
  SetFilterCommand,
  type DisplayEntry,
  type EntryDetail,
  type IpcCommand,
  type IpcMessage,
  type ReplayResult,
  type SessionInfo,
  type ToolStatsView,
  type TraceFilterState,
} from '../../src/shared/protocol';
import {
  compileFilter,
  EntryModel,
  facets,
  filterEntries,
  formatLatency,
  formatSize,
  formatTime,
  tokenizeJson,
} from './filter';
import { layoutTimeline } from './timeline';
import { TimelineView } from './timelineView';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What survives hide/show (`setState`). */
interface ViewState {
  filter: TraceFilterState;
  selected?: { sx: number; seq: number };
  showStats: boolean;
  follow: boolean;
  /** The list of messages, or the timeline of requests per server. */
  view?: 'list' | 'timeline';
}

const vscode = acquireVsCodeApi();
const ROW_H = 22;
const OVERSCAN = 8;

const saved = (vscode.getState() as ViewState | undefined) ?? undefined;
const state: ViewState = saved ?? { filter: {}, showStats: false, follow: true };
const model = new EntryModel();
let sessions: SessionInfo[] = [];
let stats: ToolStatsView[] = [];
let visible: Uint32Array = new Uint32Array(0);

// ---- IPC -------------------------------------------------------------------------------

/** Requests to the host and their answers (paired by id, with a timeout). */
const ipc = new IpcEndpoint('w', (msg) => vscode.postMessage(msg));

function send<P>(call: IpcCommand<P>, params: P): void {
  ipc.notify(call, params);
}

window.addEventListener('message', (ev: MessageEvent<IpcMessage>) => {
  const msg = ev.data;
  if (!msg || typeof msg.method !== 'string') return;
  if (ipc.receive(msg)) return;
  if (DidResetNotification.is(msg)) {
    const s = msg.params.snapshot;
    model.clear();
    sessions = s.sessions;
    stats = s.stats;
    if (s.filter) state.filter = { ...s.filter };
    model.add(s.entries);
    refreshAll();
  } else if (DidAppendNotification.is(msg)) {
    const { entries, updated, oldest } = msg.params;
    let dropped = false;
    if (oldest && Object.keys(oldest).length > 0) dropped = model.dropBefore(oldest);
    const first = model.add(entries);
    const touched = model.update(updated);
    if (dropped) refreshList();
    else appendVisible(first, touched);
    refreshFacetsSoon();
  } else if (DidChangeSessionsNotification.is(msg)) {
    sessions = msg.params.sessions;
    // Rows of sessions that are gone (cleared) are dropped.
    const known = new Set(sessions.map((x) => x.sx));
    const gone: Record<number, number> = {};
    for (const e of model.entries) if (!known.has(e.sx)) gone[e.sx] = Infinity;
    if (Object.keys(gone).length) model.dropBefore(gone);
    refreshAll();
  } else if (DidChangeStatsNotification.is(msg)) {
    stats = msg.params.stats;
    renderStats();
  } else if (DidSetFilterNotification.is(msg)) {
    state.filter = { ...msg.params.filter };
    refreshAll();
  } else if (DidSelectNotification.is(msg)) {
    revealEntry(msg.params.sx, msg.params.seq);
  } else if (DidNotifyNotification.is(msg)) {
    setStatus(msg.params.message, msg.params.level === 'error');
  }
});

// ---- DOM helpers -----------------------------------------------------------------------

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(icon: string, title: string, onClick: () => void, label?: string): HTMLButtonElement {
  const b = el('button', 'btn');
  b.title = title;
  b.setAttribute('aria-label', title);
  b.append(el('span', `codicon codicon-${icon}`));
  if (label) b.append(el('span', 'btn-label', label));
  b.addEventListener('click', onClick);
  return b;
}

function select(title: string, onChange: (v: string) => void): HTMLSelectElement {
  const s = el('select');
  s.title = title;
  s.setAttribute('aria-label', title);
  s.addEventListener('change', () => onChange(s.value));
  return s;
}

function setOptions(
  s: HTMLSelectElement,
  allLabel: string,
  options: [string, string][],
  value: string | undefined,
): void {
  s.replaceChildren();
  const all = el('option', undefined, allLabel);
  all.value = '';
  s.append(all);
  for (const [v, label] of options) {
    const o = el('option', undefined, label);
    o.value = v;
    s.append(o);
  }
  s.value = value ?? '';
  if (s.value !== (value ?? '')) s.value = '';
}

// ---- layout ----------------------------------------------------------------------------

const root = el('div', 'trace');
const toolbar = el('div', 'toolbar');
const serverSel = select('Server / session', (v) => {
  if (v.startsWith('sx:')) setFilter({ sx: Number(v.slice(3)), serverId: undefined });
  else setFilter({ serverId: v || undefined, sx: undefined });
});
const methodSel = select('Method', (v) => setFilter({ method: v || undefined }));
const toolSel = select('Tool', (v) => setFilter({ tool: v || undefined }));
const errorsBox = el('input');
errorsBox.type = 'checkbox';
errorsBox.addEventListener('change', () => setFilter({ errorsOnly: errorsBox.checked }));
const errorsLabel = el('label', 'check');
errorsLabel.append(errorsBox, document.createTextNode('Errors only'));
const outputBox = el('input');
outputBox.type = 'checkbox';
outputBox.addEventListener('change', () => setFilter({ hideOutput: outputBox.checked }));
const outputLabel = el('label', 'check');
outputLabel.append(outputBox, document.createTextNode('Hide output'));
const search = el('input', 'search');
search.type = 'search';
search.placeholder = 'Search method, tool, content…';
search.setAttribute('aria-label', 'Search');
let searchTimer: ReturnType<typeof setTimeout> | undefined;
search.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => setFilter({ text: search.value }), 150);
});
const countLabel = el('span', 'count');
const followBtn = button('arrow-down', 'Follow new messages', () => {
  state.follow = !state.follow;
  saveState();
  followBtn.classList.toggle('on', state.follow);
  if (state.follow) scrollToEnd();
});
const timelineBtn = button(
  'graph-line',
  'Timeline: requests per server over time',
  () => {
    state.view = state.view === 'timeline' ? 'list' : 'timeline';
    saveState();
    showView();
  },
  'Timeline',
);
const statsBtn = button('graph', 'Tool statistics', () => {
  state.showStats = !state.showStats;
  saveState();
  renderStats();
});
toolbar.append(
  serverSel,
  methodSel,
  toolSel,
  errorsLabel,
  outputLabel,
  search,
  countLabel,
  el('span', 'spacer'),
  timelineBtn,
  followBtn,
  statsBtn,
  button('export', 'Export the shown session as redacted JSONL', () => send(ExportCommand, { sx: state.filter.sx })),
  button('cloud-download', 'Import a JSONL trace', () => send(ImportCommand, {})),
  button('clear-all', 'Clear stored and imported sessions from the view', () =>
    send(ClearCommand, { sx: state.filter.sx }),
  ),
);

const header = el('div', 'row header');
for (const [cls, text] of [
  ['c-time', 'Time'],
  ['c-dir', ''],
  ['c-label', 'Method / result'],
  ['c-tool', 'Tool'],
  ['c-lat', 'Latency'],
  ['c-size', 'Size'],
  ['c-status', 'Status'],
  ['c-preview', 'Content'],
])
  header.append(el('span', cls, text));

const list = el('div', 'list');
list.tabIndex = 0;
list.setAttribute('role', 'listbox');
list.setAttribute('aria-label', 'Trace messages');
const spacer = el('div', 'spacer-rows');
const rowsLayer = el('div', 'rows');
list.append(spacer, rowsLayer);
const empty = el('div', 'empty');

const listPane = el('div', 'list-pane');
listPane.append(header, list, empty);
const detail = el('div', 'detail');
const statsPane = el('div', 'stats');
const timeline = new TimelineView(
  (minBarFraction) => layoutTimeline(model.entries, visible, groupOf, Date.now(), { minBarFraction }),
  () => (state.selected ? model.indexOf(state.selected.sx, state.selected.seq) : undefined),
  (index) => {
    const e = model.entries[index];
    if (e) selectEntry(e.sx, e.seq);
  },
  (index) => formatTime(model.entries[index]?.ts ?? 0),
);
const main = el('div', 'main');
main.append(listPane, timeline.root, detail);
const status = el('div', 'status');
root.append(toolbar, main, statsPane, status);
document.body.append(root);

// ---- list rendering --------------------------------------------------------------------

const rowPool: HTMLDivElement[] = [];

function makeRow(): HTMLDivElement {
  const r = el('div', 'row');
  r.setAttribute('role', 'option');
  for (const cls of ['c-time', 'c-dir', 'c-label', 'c-tool', 'c-lat', 'c-size', 'c-status', 'c-preview'])
    r.append(el('span', cls));
  // The row names the entry it shows: `visible` may already hold a newer filter's list while the
  // rows still show the old one (they are redrawn on the next frame).
  r.addEventListener('click', () => {
    if (r.dataset.sx && r.dataset.seq) selectEntry(Number(r.dataset.sx), Number(r.dataset.seq));
  });
  return r;
}

function statusText(e: DisplayEntry): string {
  switch (e.status) {
    case 'error':
      return `error ${e.errorCode ?? ''}`.trim();
    case 'tool-error':
      return 'isError';
    case 'none':
      return e.kind === 'message' ? '' : e.kind;
    default:
      return e.status;
  }
}

function fillRow(r: HTMLDivElement, i: number, e: DisplayEntry): void {
  r.dataset.index = String(i);
  r.dataset.sx = String(e.sx);
  r.dataset.seq = String(e.seq);
  r.style.transform = `translateY(${i * ROW_H}px)`;
  const c = r.children;
  c[0].textContent = formatTime(e.ts);
  c[1].textContent = e.kind !== 'message' ? '·' : e.dir === 'out' ? '→' : '←';
  (c[1] as HTMLElement).title = e.dir === 'out' ? 'client → server' : 'server → client';
  c[2].textContent = e.label;
  c[3].textContent = e.tool ?? '';
  c[4].textContent = formatLatency(e.latencyMs);
  c[5].textContent = formatSize(e.size);
  c[6].textContent = statusText(e);
  c[7].textContent = e.kind === 'message' ? (e.preview ?? '') : '';
  r.className = `row k-${e.kind} s-${e.status}${e.dir === 'in' ? ' in' : ' out'}`;
  const sel = state.selected;
  const isSel = !!sel && sel.sx === e.sx && sel.seq === e.seq;
  r.classList.toggle('selected', isSel);
  r.setAttribute('aria-selected', String(isSel));
}

let renderQueued = false;
function renderRows(): void {
  renderQueued = false;
  if (state.view === 'timeline') renderTimeline();
  const top = list.scrollTop;
  const height = list.clientHeight || 400;
  const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
  const last = Math.min(visible.length, Math.ceil((top + height) / ROW_H) + OVERSCAN);
  const need = Math.max(0, last - first);
  while (rowPool.length < need) {
    const r = makeRow();
    rowPool.push(r);
    rowsLayer.append(r);
  }
  for (let k = 0; k < rowPool.length; k++) {
    const r = rowPool[k];
    const i = first + k;
    if (k < need) {
      r.hidden = false;
      fillRow(r, i, model.entries[visible[i]]);
    } else r.hidden = true;
  }
}

function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(renderRows);
}

list.addEventListener('scroll', () => {
  const atEnd = list.scrollTop + list.clientHeight >= list.scrollHeight - ROW_H;
  if (state.follow !== atEnd) {
    state.follow = atEnd;
    followBtn.classList.toggle('on', atEnd);
  }
  scheduleRender();
});
window.addEventListener('resize', scheduleRender);

function groupOf(sx: number): { key: string; title: string } {
  const s = sessions.find((x) => x.sx === sx);
  if (!s) return { key: `sx:${sx}`, title: `session ${sx}` };
  return { key: s.serverId, title: s.origin === 'proxy' ? `${s.serverName} · via proxy` : s.serverName };
}

let pendingTimer: ReturnType<typeof setTimeout> | undefined;
function renderTimeline(): void {
  const layout = timeline.render();
  // Bars of requests still waiting grow until their answer comes.
  clearTimeout(pendingTimer);
  if (layout.groups.some((g) => g.calls.some((c) => c.open))) pendingTimer = setTimeout(scheduleRender, 1000);
}

/** Shows the list or the timeline. */
function showView(): void {
  const tl = state.view === 'timeline';
  listPane.hidden = tl;
  timeline.root.hidden = !tl;
  timelineBtn.classList.toggle('on', tl);
  timelineBtn.setAttribute('aria-pressed', String(tl));
  scheduleRender();
}

function scrollToEnd(): void {
  list.scrollTop = list.scrollHeight;
}

function serverOf(sx: number): string | undefined {
  return sessions.find((s) => s.sx === sx)?.serverId;
}

/** Recomputes the visible rows from scratch (filter change, reset). */
function refreshList(): void {
  visible = filterEntries(model, state.filter, serverOf);
  spacer.style.height = `${visible.length * ROW_H}px`;
  updateCount();
  if (state.follow) scrollToEnd();
  scheduleRender();
}

/** Adds rows appended at model index `first` and re-renders changed ones, without refiltering everything. */
function appendVisible(first: number, touched: number[]): void {
  const pred = compileFilter(state.filter, serverOf);
  const add: number[] = [];
  for (let i = first; i < model.entries.length; i++) if (!pred || pred(model.entries[i], model.keys[i])) add.push(i);
  // An update can change whether a row matches (e.g. becomes an error): refilter then.
  if (touched.length && pred) {
    refreshList();
    return;
  }
  if (add.length) {
    const next = new Uint32Array(visible.length + add.length);
    next.set(visible);
    next.set(add, visible.length);
    visible = next;
    spacer.style.height = `${visible.length * ROW_H}px`;
    updateCount();
    if (state.follow) scrollToEnd();
  }
  scheduleRender();
  const sel = state.selected;
  if (sel && touched.some((i) => model.entries[i].sx === sel.sx && model.entries[i].seq === sel.seq))
    void showDetail(sel.sx, sel.seq);
}

function updateCount(): void {
  countLabel.textContent =
    visible.length === model.size
      ? `${model.size.toLocaleString()} messages`
      : `${visible.length.toLocaleString()} of ${model.size.toLocaleString()}`;
  empty.hidden = model.size > 0;
  empty.textContent = sessions.length
    ? 'No messages yet. Call a tool or wait for the server to talk.'
    : 'No trace yet. Start a server in the MCP Doctor view, open a recorded session, import a JSONL trace, or route a client through the proxy.';
}

// ---- filters ---------------------------------------------------------------------------

function setFilter(patch: Partial<TraceFilterState>): void {
  state.filter = { ...state.filter, ...patch };
  for (const k of Object.keys(state.filter) as (keyof TraceFilterState)[])
    if (state.filter[k] === undefined || state.filter[k] === '') delete state.filter[k];
  saveState();
  send(SetFilterCommand, { filter: state.filter });
  refreshList();
  syncControls();
}

let facetsTimer: ReturnType<typeof setTimeout> | undefined;
function refreshFacetsSoon(): void {
  if (facetsTimer) return;
  facetsTimer = setTimeout(() => {
    facetsTimer = undefined;
    syncControls();
  }, 500);
}

function syncControls(): void {
  const servers = new Map<string, string>();
  // Same name, different source (workspace config vs a client through the proxy): say which.
  for (const s of sessions)
    servers.set(s.serverId, s.origin === 'proxy' ? `${s.serverName} · via proxy` : s.serverName);
  const opts: [string, string][] = [...servers].map(([id, name]) => [id, name]);
  for (const s of sessions)
    opts.push([`sx:${s.sx}`, `  ${s.serverName} · ${s.origin} · ${new Date(s.startedAt).toLocaleTimeString()}`]);
  setOptions(
    serverSel,
    'All servers',
    opts,
    state.filter.sx !== undefined ? `sx:${state.filter.sx}` : state.filter.serverId,
  );
  const f = facets(model.entries);
  setOptions(
    methodSel,
    'All methods',
    f.methods.map((m) => [m, m]),
    state.filter.method,
  );
  setOptions(
    toolSel,
    'All tools',
    f.tools.map((t) => [t, t]),
    state.filter.tool,
  );
  errorsBox.checked = !!state.filter.errorsOnly;
  outputBox.checked = !!state.filter.hideOutput;
  if (document.activeElement !== search) search.value = state.filter.text ?? '';
  followBtn.classList.toggle('on', state.follow);
}

function refreshAll(): void {
  syncControls();
  refreshList();
  renderStats();
  const sel = state.selected;
  if (sel && model.get(sel.sx, sel.seq)) void showDetail(sel.sx, sel.seq);
  else renderDetailEmpty();
}

// ---- detail ----------------------------------------------------------------------------

function selectEntry(sx: number, seq: number): void {
  state.selected = { sx, seq };
  saveState();
  scheduleRender();
  void showDetail(sx, seq);
}

function renderDetailEmpty(): void {
  detail.replaceChildren(el('div', 'detail-empty', 'Select a message to see it with its paired request or response.'));
}

function jsonView(json: string, cut: boolean): HTMLElement {
  const pre = el('pre', 'json');
  const frag = document.createDocumentFragment();
  for (const [cls, text] of tokenizeJson(json)) {
    if (cls === 'ws' || cls === 'punct') frag.append(document.createTextNode(text));
    else frag.append(el('span', `j-${cls}`, text));
  }
  pre.append(frag);
  if (cut) pre.append(el('div', 'cut', '… cut for display; Copy gives the whole message (the trace file has it all).'));
  return pre;
}

function describe(e: DisplayEntry): string {
  const parts = [e.dir === 'out' ? '→ client to server' : '← server to client', e.label];
  if (e.tool) parts.push(`tool ${e.tool}`);
  if (e.latencyMs !== undefined) parts.push(formatLatency(e.latencyMs));
  parts.push(formatSize(e.size));
  const st = statusText(e);
  if (st) parts.push(st);
  return parts.join(' · ');
}

function isSelected(sx: number, seq: number): boolean {
  return state.selected?.sx === sx && state.selected.seq === seq;
}

async function showDetail(sx: number, seq: number): Promise<void> {
  let d;
  try {
    d = await ipc.request(GetDetailRequest, { sx, seq });
  } catch (err) {
    if (isSelected(sx, seq))
      detail.replaceChildren(el('div', 'detail-empty', `Could not load the message: ${errorText(err)}`));
    return;
  }
  if (!isSelected(sx, seq)) return; // a newer selection won
  if (!d) {
    detail.replaceChildren(el('div', 'detail-empty', 'This message is no longer in memory (see the trace file).'));
    return;
  }
  const e = d.entry;
  const session = sessions.find((s) => s.sx === sx);
  const head = el('div', 'detail-head');
  head.append(el('div', 'detail-title', describe(e)));
  const actions = el('div', 'actions');
  actions.append(
    button('copy', 'Copy this message (redacted JSON)', () => send(CopyCommand, { sx, seq, what: 'entry' }), 'Copy'),
  );
  if (d.pair)
    actions.append(
      button('copy', 'Copy request and response', () => send(CopyCommand, { sx, seq, what: 'both' }), 'Copy both'),
    );
  // A request comes before its response (whatever the direction: servers send requests too).
  const isRequest =
    e.kind === 'message' &&
    (e.pair !== undefined ? e.pair > e.seq : e.status === 'pending' || e.status === 'cancelled') &&
    e.dir === 'out';
  const replayable =
    e.kind === 'message' &&
    e.method &&
    e.method !== 'initialize' &&
    (isRequest || (d.pair && d.pair.entry.seq < e.seq && d.pair.entry.dir === 'out'));
  if (replayable) {
    const b = button(
      'debug-rerun',
      session?.canReplay ? 'Send this request again to the running server and compare' : 'Start the server to replay',
      () => void replay(sx, seq),
      'Replay',
    );
    b.disabled = !session?.canReplay;
    actions.append(b);
    const requestJson = isRequest ? d.json : d.pair?.json;
    const cut = isRequest ? d.cut : !!d.pair?.cut;
    const edit = button(
      'edit',
      cut ? 'The request is too large to edit here' : 'Edit the params, then send the request again and compare',
      () => toggleReplayEditor(sx, seq, requestJson ?? '{}'),
      'Edit & Replay',
    );
    edit.classList.add('edit-replay');
    edit.disabled = !session?.canReplay || cut || requestJson === undefined;
    actions.append(edit);
  }
  if (e.tool) {
    const tool = e.tool;
    actions.append(
      button(
        'go-to-file',
        `Go to the definition of ${tool}`,
        () => send(OpenDefinitionCommand, { tool, sx }),
        'Definition',
      ),
    );
  }
  head.append(actions);
  if (e.truncated)
    head.append(
      el('div', 'note', 'The payload is larger than the in-memory limit; the trace file on disk keeps it whole.'),
    );
  const body = el('div', 'detail-body');
  const req =
    d.pair && d.pair.entry.seq < e.seq
      ? { entry: d.pair.entry, json: d.pair.json, cut: d.pair.cut }
      : { entry: e, json: d.json, cut: d.cut };
  const res = d.pair ? (req.entry === e ? d.pair : { entry: e, json: d.json, cut: d.cut }) : undefined;
  const col = (title: string, part: { entry: DisplayEntry; json: string; cut: boolean }) => {
    const c = el('div', 'col');
    const t = el('div', 'col-title', title);
    if (part.entry.seq !== seq) {
      const link = el('a', 'link', `#${part.entry.seq}`);
      link.href = '#';
      link.addEventListener('click', (ev) => {
        ev.preventDefault();
        revealEntry(sx, part.entry.seq);
      });
      t.append(document.createTextNode(' '), link);
    }
    c.append(t, jsonView(part.json, part.cut));
    return c;
  };
  body.append(
    col(
      res ? (req.entry.dir === 'out' ? 'Request' : 'Server request') : e.kind === 'message' ? 'Message' : e.kind,
      req,
    ),
  );
  if (res) body.append(col(req.entry.dir === 'out' ? 'Response' : 'Client response', res));
  const parts: HTMLElement[] = [head];
  if (d.parent) {
    const p = d.parent;
    const link = el('a', 'link', `${p.label}${p.tool ? ` (${p.tool})` : ''} #${p.seq}`);
    link.href = '#';
    link.addEventListener('click', (ev) => {
      ev.preventDefault();
      revealEntry(sx, p.seq);
    });
    const line = el('div', 'parent', 'Belongs to ');
    line.append(link);
    parts.push(line);
  }
  parts.push(body);
  if (d.input) parts.push(inputPairView(sx, seq, d.input));
  parts.push(el('div', 'replay'));
  detail.replaceChildren(...parts);
}

/**
 * 2026-07-28 input requests: what the server asked for in its `input_required` result beside
 * what the client answered in the retried request, with the time the answer took.
 */
function inputPairView(sx: number, seq: number, input: NonNullable<EntryDetail['input']>): HTMLElement {
  const box = el('div', 'input-pair');
  const answeredIn =
    input.answered && input.answered.inputLatencyMs !== undefined
      ? `answered in ${formatLatency(input.answered.inputLatencyMs)}`
      : 'not answered (yet)';
  box.append(el('div', 'input-title', `Input requests (2026-07-28 multi-round trip) · ${answeredIn}`));
  const body = el('div', 'detail-body');
  const col = (title: string, entry: DisplayEntry | undefined, json: string | undefined) => {
    const c = el('div', 'col');
    const t = el('div', 'col-title', title);
    if (entry && entry.seq !== seq) {
      const link = el('a', 'link', `#${entry.seq}`);
      link.href = '#';
      link.addEventListener('click', (ev) => {
        ev.preventDefault();
        revealEntry(sx, entry.seq);
      });
      t.append(document.createTextNode(' '), link);
    }
    c.append(
      t,
      json === undefined ? el('div', 'note', 'The client has not retried the request yet.') : jsonView(json, false),
    );
    return c;
  };
  body.append(
    col('Asked (inputRequests)', input.asked, input.requests),
    col('Answered (inputResponses)', input.answered, input.responses),
  );
  box.append(body);
  return box;
}

function revealEntry(sx: number, seq: number): void {
  let pos = -1;
  const idx = model.indexOf(sx, seq);
  for (let i = 0; i < visible.length; i++) if (visible[i] === idx) pos = i;
  if (pos < 0 && idx >= 0) {
    // Hidden by the filter: clear the filter so the row can be shown.
    state.filter = {};
    refreshList();
    syncControls();
    for (let i = 0; i < visible.length; i++) if (visible[i] === idx) pos = i;
  }
  if (pos >= 0) {
    state.follow = false;
    list.scrollTop = Math.max(0, pos * ROW_H - list.clientHeight / 2);
  }
  selectEntry(sx, seq);
}

/**
 * The editor of an edited replay: the request's params as JSON (redacted as shown: values left
 * as they are go out as recorded), and Send.
 */
function toggleReplayEditor(sx: number, seq: number, requestJson: string): void {
  const open = detail.querySelector('.replay-editor');
  if (open) {
    open.remove();
    return;
  }
  let params: unknown = {};
  try {
    params = (JSON.parse(requestJson) as { params?: unknown }).params ?? {};
  } catch {
    // a cut or invalid message: start from an empty object
  }
  if (params && typeof params === 'object' && !Array.isArray(params)) delete (params as Record<string, unknown>)._meta;
  const box = el('div', 'replay-editor');
  const area = el('textarea', 'replay-params');
  area.spellcheck = false;
  area.value = JSON.stringify(params, null, 2);
  area.rows = Math.min(20, area.value.split('\n').length + 1);
  area.setAttribute('aria-label', 'Params to send');
  const problem = el('div', 'note');
  const check = () => {
    try {
      const v = JSON.parse(area.value) as unknown;
      problem.textContent = v && typeof v === 'object' && !Array.isArray(v) ? '' : 'The params must be a JSON object.';
    } catch (err) {
      problem.textContent = `Not JSON: ${errorText(err)}`;
    }
    send.disabled = problem.textContent !== '';
  };
  const send = button(
    'debug-rerun',
    'Send the edited request and compare',
    () => void replay(sx, seq, area.value),
    'Send',
  );
  send.classList.add('send-replay');
  area.addEventListener('input', check);
  box.append(
    el('div', 'note', 'Values shown as *** are sent as recorded unless you replace them.'),
    area,
    problem,
    send,
  );
  detail.querySelector('.replay')?.before(box);
  area.focus();
}

/** Replays a request (as recorded, or with edited params) and shows old vs new under the detail. */
async function replay(sx: number, seq: number, params?: string): Promise<void> {
  let r: ReplayResult;
  try {
    r = await ipc.request(ReplayRequest, params === undefined ? { sx, seq } : { sx, seq, params });
  } catch (err) {
    r = { sx, seq, method: '?', ok: false, durationMs: 0, old: '', new: '', diff: [], error: errorText(err) };
  }
  if (isSelected(sx, seq) || isSelected(r.sx, r.seq)) renderReplay(r);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function renderReplay(r: ReplayResult): void {
  const box = detail.querySelector('.replay') ?? detail.appendChild(el('div', 'replay'));
  box.replaceChildren();
  const title = el('div', 'col-title');
  if (r.error) {
    title.textContent = `Replay failed: ${r.error}`;
    title.classList.add('error');
    box.append(title);
    return;
  }
  const changed = r.diff.some((l) => l.op !== '=');
  title.textContent = `Replay of ${r.method} #${r.seq}: ${r.ok ? 'ok' : 'failed'} in ${formatLatency(r.durationMs)} · ${changed ? 'result changed' : 'same result'}`;
  box.append(title);
  const pre = el('pre', 'diff');
  for (const line of r.diff) {
    const div = el(
      'div',
      line.op === '+' ? 'd-add' : line.op === '-' ? 'd-del' : 'd-eq',
      `${line.op === '=' ? ' ' : line.op} ${line.text}`,
    );
    pre.append(div);
  }
  box.append(pre);
  box.scrollIntoView({ block: 'nearest' });
}

// ---- statistics ------------------------------------------------------------------------

function renderStats(): void {
  statsBtn.classList.toggle('on', state.showStats);
  statsPane.hidden = !state.showStats;
  if (!state.showStats) return;
  const rows = stats.filter(
    (s) =>
      (state.filter.sx === undefined || s.sx === state.filter.sx) &&
      (!state.filter.serverId || serverOf(s.sx) === state.filter.serverId),
  );
  statsPane.replaceChildren();
  if (rows.length === 0) {
    statsPane.append(el('div', 'detail-empty', 'No tool calls yet.'));
    return;
  }
  const table = el('table');
  const thead = el('tr');
  for (const h of ['Tool', 'Server', 'Calls', 'Errors', 'p50', 'p95', 'Max', 'Latency histogram'])
    thead.append(el('th', undefined, h));
  table.append(thead);
  for (const s of rows) {
    const tr = el('tr');
    const name = el('a', 'link', s.tool);
    name.href = '#';
    name.title = 'Show only this tool';
    name.addEventListener('click', (ev) => {
      ev.preventDefault();
      setFilter({ tool: s.tool });
    });
    const td0 = el('td');
    td0.append(name);
    tr.append(
      td0,
      el('td', undefined, sessions.find((x) => x.sx === s.sx)?.serverName ?? ''),
      el('td', 'num', String(s.calls)),
      el('td', s.errors ? 'num error' : 'num', String(s.errors)),
      el('td', 'num', formatLatency(s.p50)),
      el('td', 'num', formatLatency(s.p95)),
      el('td', 'num', formatLatency(s.max)),
    );
    const hist = el('td');
    hist.append(histogram(s.histogram));
    tr.append(hist);
    table.append(tr);
  }
  statsPane.append(table);
}

function histogram(counts: number[]): HTMLElement {
  const box = el('div', 'hist');
  const max = Math.max(1, ...counts);
  counts.forEach((n, i) => {
    const bar = el('div', 'bar');
    bar.style.height = `${n ? Math.max(8, Math.round((n / max) * 100)) : 0}%`;
    const upper = HISTOGRAM_BUCKETS_MS[i];
    bar.title = `${upper !== undefined ? `≤ ${formatLatency(upper)}` : `> ${formatLatency(HISTOGRAM_BUCKETS_MS[HISTOGRAM_BUCKETS_MS.length - 1])}`}: ${n}`;
    box.append(bar);
  });
  return box;
}

// ---- keyboard, state, start --------------------------------------------------------------

list.addEventListener('keydown', (ev) => {
  if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp' && ev.key !== 'Home' && ev.key !== 'End') return;
  ev.preventDefault();
  const sel = state.selected;
  const idx = sel ? model.indexOf(sel.sx, sel.seq) : -1;
  let pos = -1;
  for (let i = 0; i < visible.length; i++) if (visible[i] === idx) pos = i;
  if (ev.key === 'Home') pos = 0;
  else if (ev.key === 'End') pos = visible.length - 1;
  else pos = Math.min(visible.length - 1, Math.max(0, pos + (ev.key === 'ArrowDown' ? 1 : -1)));
  const e = model.entries[visible[pos]];
  if (!e) return;
  if (pos * ROW_H < list.scrollTop) list.scrollTop = pos * ROW_H;
  else if ((pos + 1) * ROW_H > list.scrollTop + list.clientHeight)
    list.scrollTop = (pos + 1) * ROW_H - list.clientHeight;
  selectEntry(e.sx, e.seq);
});

function saveState(): void {
  vscode.setState(state);
}

let statusTimer: ReturnType<typeof setTimeout> | undefined;
function setStatus(text: string, isError: boolean): void {
  status.textContent = text;
  status.classList.toggle('error', isError);
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => (status.textContent = ''), 8000);
}

renderDetailEmpty();
syncControls();
updateCount();
showView();
send(ReadyCommand, { filter: saved?.filter });

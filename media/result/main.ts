/**
 * The "MCP Result" webview: one per server. The newest call is shown; the recent calls are
 * listed on the left to go back to. Content blocks are drawn by type: text, JSON as a
 * foldable tree, images, audio, resource links (click to read), embedded resources;
 * `structuredContent` beside the tool's `outputSchema`. Server data is only ever set through
 * `textContent` and attributes; media `src` values are `data:` URLs the host built.
 */
import type { ResultBlock, ResultHostMessage, ResultRecord, ResultViewMessage } from '../../src/shared/results';
import { jsonTree } from './jsonTree';

interface VsCodeApi {
  postMessage(msg: ResultViewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
let records: ResultRecord[] = [];
let selected: number | undefined = (vscode.getState() as { selected?: number } | undefined)?.selected;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function icon(name: string, title?: string): HTMLSpanElement {
  const s = el('span', `codicon codicon-${name}`);
  if (title) {
    s.title = title;
    s.setAttribute('aria-label', title);
    s.setAttribute('role', 'img');
  } else s.setAttribute('aria-hidden', 'true');
  return s;
}

function button(iconName: string, label: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', 'btn');
  b.title = title;
  b.append(icon(iconName), el('span', undefined, label));
  b.addEventListener('click', onClick);
  return b;
}

const STATUS: Record<ResultRecord['status'], [string, string]> = {
  ok: ['pass-filled', 'Succeeded'],
  'tool-error': ['error', 'The tool returned an error (isError: true)'],
  error: ['error', 'The request failed'],
  timeout: ['watch', 'Timed out'],
  cancelled: ['circle-slash', 'Cancelled'],
};

const KIND: Record<ResultRecord['kind'], string> = { tool: 'Tool', resource: 'Resource', prompt: 'Prompt' };

function time(at: number): string {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}

// ---- layout ----------------------------------------------------------------------------

const root = el('div', 'result');
const history = el('nav', 'history');
history.setAttribute('aria-label', 'Recent calls');
const historyList = el('ol', 'history-list');
history.append(el('div', 'history-title', 'Recent calls'), historyList);
const main = el('main', 'record');
root.append(history, main);
document.body.append(root);

// ---- history ---------------------------------------------------------------------------

function renderHistory(): void {
  historyList.replaceChildren();
  for (const r of [...records].reverse()) {
    const li = el('li');
    const b = el('button', `history-item s-${r.status}`);
    b.dataset.id = String(r.id);
    b.setAttribute('aria-current', String(r.id === selected));
    if (r.id === selected) b.classList.add('selected');
    const [statusIcon, statusText] = STATUS[r.status];
    b.append(
      icon(statusIcon, statusText),
      el('span', 'h-name', r.name),
      el('span', 'h-meta', `${time(r.at)} · ${duration(r.durationMs)}`),
    );
    b.title = `${KIND[r.kind]} ${r.name} · ${statusText}`;
    b.addEventListener('click', () => select(r.id));
    li.append(b);
    historyList.append(li);
  }
}

function select(id: number): void {
  selected = id;
  vscode.setState({ selected });
  renderHistory();
  renderRecord();
}

// ---- one record ------------------------------------------------------------------------

function section(title: string, cls: string): HTMLElement {
  const s = el('section', cls);
  s.append(el('h2', undefined, title));
  return s;
}

function renderRecord(): void {
  const r = records.find((x) => x.id === selected) ?? records[records.length - 1];
  main.replaceChildren();
  if (!r) {
    main.append(
      el('div', 'empty', 'No calls yet. Call a tool, read a resource or get a prompt from the MCP Doctor view.'),
    );
    return;
  }
  main.dataset.id = String(r.id);
  const head = el('header', `record-head s-${r.status}`);
  const [statusIcon, statusText] = STATUS[r.status];
  const title = el('h1');
  title.append(icon(statusIcon, statusText), el('span', 'kind', `${KIND[r.kind]} `), el('code', 'name', r.name));
  const meta = el('div', 'meta', `${r.serverName} · ${time(r.at)} · ${duration(r.durationMs)} · ${statusText}`);
  const actions = el('div', 'actions');
  actions.append(
    button('debug-rerun', 'Call again', 'Run the same call again with the same arguments', () =>
      vscode.postMessage({ type: 'result/again', id: r.id }),
    ),
  );
  if (r.kind === 'tool')
    actions.append(
      button('pulse', 'Trace', 'Show this tool’s calls in the MCP Trace view', () =>
        vscode.postMessage({ type: 'result/openTrace', id: r.id }),
      ),
    );
  actions.append(
    button('markdown', 'Markdown', 'Open this result as a Markdown document', () =>
      vscode.postMessage({ type: 'result/markdown', id: r.id }),
    ),
  );
  head.append(title, meta, actions);
  main.append(head);

  if (r.error) {
    const box = el('div', 'banner error');
    box.append(
      el(
        'div',
        'banner-title',
        `${r.error.code !== undefined ? `JSON-RPC error ${r.error.code}: ` : ''}${r.error.message}`,
      ),
      el('div', undefined, `${r.error.explanation}.`),
    );
    if (r.error.data !== undefined) box.append(jsonTree(r.error.data, 1));
    main.append(box);
  } else if (r.status === 'tool-error') {
    main.append(
      el(
        'div',
        'banner error',
        'The call reached the server; the tool reported a failure (isError: true). Its message is below.',
      ),
    );
  }
  if (r.findings.length) {
    const s = section('Problems found in this call', 'findings');
    const ul = el('ul');
    for (const f of r.findings) {
      const li = el('li', `f-${f.severity}`);
      li.append(el('strong', undefined, f.code), document.createTextNode(` (${f.severity}): ${f.message}`));
      ul.append(li);
    }
    s.append(ul);
    main.append(s);
  }
  if (r.args !== undefined) {
    const s = section('Arguments', 'args');
    s.append(jsonTree(r.args, 2));
    main.append(s);
  }
  if (r.description) main.append(el('p', 'description', r.description));
  if (r.blocks.length || r.raw !== undefined) {
    const label = r.kind === 'prompt' ? 'Messages' : r.kind === 'resource' ? 'Contents' : 'Content';
    const s = section(`${label} (${r.blocks.length})`, 'content');
    r.blocks.forEach((b, i) => s.append(block(b, i + 1)));
    main.append(s);
  }
  if (r.structuredContent !== undefined || r.outputSchema !== undefined) {
    const s = section('Structured content', 'structured');
    const cols = el('div', 'columns');
    const left = el('div', 'col');
    left.append(el('h3', undefined, 'structuredContent'));
    left.append(
      r.structuredContent !== undefined
        ? jsonTree(r.structuredContent, 3)
        : el('div', 'muted', 'None: the tool declares an outputSchema but returned no structuredContent.'),
    );
    const right = el('div', 'col');
    right.append(el('h3', undefined, 'outputSchema'));
    right.append(
      r.outputSchema !== undefined
        ? jsonTree(r.outputSchema, 3)
        : el('div', 'muted', 'The tool declares no outputSchema.'),
    );
    cols.append(left, right);
    s.append(cols);
    main.append(s);
  }
  if (r.raw !== undefined) {
    const raw = el('details', 'raw');
    raw.append(el('summary', undefined, 'Raw result (JSON)'));
    const pre = el('pre', undefined, r.raw);
    raw.append(pre);
    if (r.rawClipped) raw.append(el('div', 'muted', `… ${r.rawClipped.toLocaleString()} more characters`));
    main.append(raw);
  }
}

function blockHead(n: number | undefined, label: string, extra?: string): HTMLElement {
  const h = el('div', 'block-head');
  if (n !== undefined) h.append(el('span', 'block-n', `${n}`));
  h.append(el('span', 'block-type', label));
  if (extra) h.append(el('span', 'muted', extra));
  return h;
}

function textBody(text: string, json: unknown, clipped: number | undefined): HTMLElement {
  if (json !== undefined) return jsonTree(json, 2);
  const pre = el('pre', 'text', text);
  if (clipped) pre.append(el('div', 'muted', `… ${clipped.toLocaleString()} more characters`));
  return pre;
}

function block(b: ResultBlock, n?: number): HTMLElement {
  const box = el('div', `block b-${b.type}`);
  switch (b.type) {
    case 'text':
      box.append(blockHead(n, b.json !== undefined ? 'text · JSON' : 'text'), textBody(b.text, b.json, b.clipped));
      break;
    case 'image': {
      box.append(blockHead(n, 'image', `${b.mimeType} · ${bytes(b.bytes)}`));
      if (b.src) {
        const img = el('img', 'media');
        img.alt = `image returned by the server (${b.mimeType})`;
        img.src = b.src;
        box.append(img);
      } else box.append(el('div', 'muted', `Not shown: ${b.why ?? 'unsupported'}.`));
      break;
    }
    case 'audio': {
      box.append(blockHead(n, 'audio', `${b.mimeType} · ${bytes(b.bytes)}`));
      if (b.src) {
        const audio = el('audio', 'media');
        audio.controls = true;
        audio.src = b.src;
        box.append(audio);
      } else box.append(el('div', 'muted', `Not playable here: ${b.why ?? 'unsupported'}.`));
      break;
    }
    case 'resource_link': {
      box.append(blockHead(n, 'resource link', b.mimeType));
      const link = el('a', 'link', b.title ?? b.name ?? b.uri);
      link.href = '#';
      link.title = `Read ${b.uri}`;
      link.addEventListener('click', (ev) => {
        ev.preventDefault();
        vscode.postMessage({ type: 'result/readResource', uri: b.uri });
      });
      box.append(link, el('code', 'uri', b.uri));
      if (b.description) box.append(el('div', 'muted', b.description));
      break;
    }
    case 'resource': {
      box.append(blockHead(n, 'embedded resource', b.mimeType));
      box.append(el('code', 'uri', b.uri));
      if (b.text !== undefined) box.append(textBody(b.text, b.json, b.clipped));
      else if (b.src) {
        const img = el('img', 'media');
        img.alt = `image resource ${b.uri}`;
        img.src = b.src;
        box.append(img);
      } else if (b.bytes !== undefined) box.append(el('div', 'muted', `binary, ${bytes(b.bytes)}`));
      break;
    }
    case 'message': {
      box.append(blockHead(n, b.role));
      for (const inner of b.blocks) box.append(block(inner));
      break;
    }
    default:
      box.append(blockHead(n, b.label), jsonTree(b.value, 1));
  }
  return box;
}

// ---- messages ----------------------------------------------------------------------------

window.addEventListener('message', (ev: MessageEvent<ResultHostMessage>) => {
  const msg = ev.data;
  if (!msg || typeof msg.type !== 'string') return;
  if (msg.type === 'result/reset') {
    records = msg.records;
    document.title = `Result: ${msg.serverName}`;
    document.body.dataset.server = msg.serverName;
    if (msg.selected !== undefined) selected = msg.selected;
    if (!records.some((r) => r.id === selected)) selected = records[records.length - 1]?.id;
  } else if (msg.type === 'result/add') {
    records = [...records.filter((r) => r.id !== msg.record.id && r.id >= msg.oldest), msg.record];
    selected = msg.record.id;
  } else return;
  vscode.setState({ selected });
  renderHistory();
  renderRecord();
});

renderRecord();
vscode.postMessage({ type: 'result/ready' });

/**
 * A JSON value as a foldable tree: objects and arrays are `<details>` elements (native
 * folding, keyboard and screen reader friendly), opened to `openDepth` levels. Children of a
 * closed node are built when it is first opened, so a large result costs nothing until read.
 * Values are set with `textContent` only.
 */

/** Children shown per object or array before a "… more" line. */
const MAX_CHILDREN = 500;

function span(cls: string, text: string): HTMLSpanElement {
  const s = document.createElement('span');
  s.className = cls;
  s.textContent = text;
  return s;
}

function leafText(v: unknown): [string, string] {
  if (typeof v === 'string') return ['j-string', JSON.stringify(v)];
  if (typeof v === 'number') return ['j-number', String(v)];
  if (typeof v === 'boolean' || v === null) return ['j-literal', String(v)];
  return ['j-literal', String(v)];
}

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

function summary(v: Record<string, unknown> | unknown[]): string {
  if (Array.isArray(v)) return `[…] ${v.length} item${v.length === 1 ? '' : 's'}`;
  const n = Object.keys(v).length;
  return `{…} ${n} key${n === 1 ? '' : 's'}`;
}

function keyLabel(key: string | number | undefined, parent: HTMLElement): void {
  if (key === undefined) return;
  parent.append(span(typeof key === 'number' ? 'j-index' : 'j-key', typeof key === 'number' ? String(key) : key));
  parent.append(document.createTextNode(': '));
}

function node(value: unknown, key: string | number | undefined, depth: number, openDepth: number): HTMLElement {
  if (!isContainer(value) || (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0)) {
    const line = document.createElement('div');
    line.className = 'jt-leaf';
    keyLabel(key, line);
    const [cls, text] = isContainer(value) ? ['j-literal', Array.isArray(value) ? '[]' : '{}'] : leafText(value);
    line.append(span(cls, text));
    return line;
  }
  const details = document.createElement('details');
  details.className = 'jt';
  const head = document.createElement('summary');
  keyLabel(key, head);
  head.append(span('jt-size', summary(value)));
  details.append(head);
  const body = document.createElement('div');
  body.className = 'jt-children';
  details.append(body);
  let built = false;
  const build = () => {
    if (built) return;
    built = true;
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : Object.entries(value);
    for (const [k, v] of entries.slice(0, MAX_CHILDREN)) body.append(node(v, k, depth + 1, openDepth));
    if (entries.length > MAX_CHILDREN) {
      const more = document.createElement('div');
      more.className = 'jt-more';
      more.textContent = `… ${entries.length - MAX_CHILDREN} more (the raw result has them all)`;
      body.append(more);
    }
  };
  if (depth < openDepth) {
    build();
    details.open = true;
  } else details.addEventListener('toggle', build);
  return details;
}

/** The tree of `value`; the top `openDepth` levels start open. */
export function jsonTree(value: unknown, openDepth = 2): HTMLElement {
  const root = document.createElement('div');
  root.className = 'json-tree';
  root.append(node(value, undefined, 0, openDepth));
  return root;
}

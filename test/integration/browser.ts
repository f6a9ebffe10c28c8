/**
 * What the workbench draws, read and driven through the browser the harness runs it in.
 * The shim (.ci/vscode-host/vscode-shim.js) serves playwright operations on the page at
 * VSCODE_SHIM_BROWSER; a frame is picked by a CSS selector its document holds, so a webview
 * is reached by something only it draws (e.g. `.trace` for the MCP Trace view).
 */
import * as assert from 'node:assert/strict';
import { waitFor } from './helpers';

interface BrowserRequest {
  op: 'eval' | 'click' | 'fill' | 'select' | 'focus' | 'press' | 'screenshot' | 'open' | 'url' | 'close';
  /** `other`: the newest tab besides the workbench (one opened with `openTab`). */
  tab?: 'other';
  url?: string;
  timeoutMs?: number;
  frame?: string;
  selector?: string;
  value?: string;
  key?: string;
  fn?: string;
  arg?: unknown;
  button?: 'left' | 'right';
  path?: string;
}

async function call<T>(req: BrowserRequest): Promise<T> {
  const url = process.env.VSCODE_SHIM_BROWSER;
  if (!url) throw new Error('VSCODE_SHIM_BROWSER is not set: run the tests through .ci/vscode-host/vscode-shim.js');
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(req) });
  const body = (await res.json()) as { value?: T; error?: string };
  if (body.error !== undefined) throw new Error(`browser ${req.op}: ${body.error}`);
  return body.value as T;
}

/**
 * The part of the page's DOM the functions sent to the browser use. They run in the page, so
 * the page's `document` is passed to them (this program is type-checked without the DOM lib).
 */
export interface PageElement {
  readonly className: string;
  readonly children: ArrayLike<PageElement>;
  readonly textContent: string | null;
  readonly innerText?: string;
  readonly clientHeight: number;
  readonly scrollHeight: number;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { top: number; bottom: number; left: number; right: number; width: number; height: number };
  checkVisibility(options?: { checkOpacity?: boolean; checkVisibilityCSS?: boolean }): boolean;
  closest(selector: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement> & ArrayLike<PageElement>;
}
export interface PageDocument {
  readonly activeElement: PageElement | null;
  readonly title: string;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement> & ArrayLike<PageElement>;
}

/** A row as drawn: its class attribute and the text of each cell. */
export interface DrawnRow {
  className: string;
  cells: string[];
}

/** Opens `url` in a new tab of the browser that shows the workbench; resolves with where it landed. */
export function openTab(url: string): Promise<string> {
  return call<string>({ op: 'open', url, timeoutMs: 20000 });
}

/** A tab besides the workbench (the newest one `openTab` opened), e.g. a sign-in page. */
export class BrowserTab {
  url(): Promise<string> {
    return call<string>({ op: 'url', tab: 'other' });
  }
  text(selector: string): Promise<string> {
    return call<string>({
      op: 'eval',
      tab: 'other',
      fn: `(sel) => document.querySelector(sel)?.textContent ?? ''`,
      arg: selector,
    });
  }
  fill(selector: string, value: string): Promise<void> {
    return call({ op: 'fill', tab: 'other', selector, value });
  }
  click(selector: string): Promise<void> {
    return call({ op: 'click', tab: 'other', selector });
  }
  close(): Promise<void> {
    return call({ op: 'close', tab: 'other' });
  }
}

/** One document in the browser: the workbench (`frame` undefined) or the webview frame holding `frame`. */
export class BrowserFrame {
  constructor(private readonly frame?: string) {}

  /**
   * Runs `fn` inside the frame with `arg` and the frame's document. It must be self-contained
   * (it is sent as source) and return JSON.
   */
  eval<A, T>(fn: (arg: A, document: PageDocument) => T, arg?: A): Promise<T> {
    return call<T>({ op: 'eval', frame: this.frame, fn: `(arg) => (${fn.toString()})(arg, document)`, arg });
  }

  /** The text of the first element matching `selector` ('' when there is none). */
  text(selector: string): Promise<string> {
    return this.eval((sel, doc) => doc.querySelector(sel)?.textContent ?? '', selector);
  }
  click(selector: string, button: 'left' | 'right' = 'left'): Promise<void> {
    return call({ op: 'click', frame: this.frame, selector, button });
  }
  fill(selector: string, value: string): Promise<void> {
    return call({ op: 'fill', frame: this.frame, selector, value });
  }
  select(selector: string, value: string): Promise<void> {
    return call({ op: 'select', frame: this.frame, selector, value });
  }
  focus(selector: string): Promise<void> {
    return call({ op: 'focus', frame: this.frame, selector });
  }
  /** A key (playwright names: `Shift+F10`, `Enter`) on an element, or on whatever has focus. */
  press(key: string, selector?: string): Promise<void> {
    return call({ op: 'press', frame: this.frame, selector, key });
  }

  /** A PNG of the whole workbench page at `file`. */
  screenshot(file: string): Promise<string> {
    return call({ op: 'screenshot', path: file });
  }

  /**
   * The rows matching `selector` that a user can see: rendered (not `display: none`, not
   * `hidden`, not invisible) and inside the visible box of `clip` when given (a scroller).
   * Each row comes with its class and the text of its direct children, so tests can check what they say.
   */
  visibleRows(selector: string, clip?: string): Promise<DrawnRow[]> {
    return this.eval(
      ({ selector, clip }, doc) => {
        const box = clip ? doc.querySelector(clip)?.getBoundingClientRect() : undefined;
        return [...doc.querySelectorAll(selector)]
          .filter((r) => {
            if (!r.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
            const b = r.getBoundingClientRect();
            if (b.height === 0 || b.width === 0) return false;
            return !box || (b.bottom > box.top && b.top < box.bottom);
          })
          .map((r) => ({
            className: r.className,
            cells: Array.from(r.children, (c) => c.innerText ?? c.textContent ?? ''),
          }));
      },
      { selector, clip },
    );
  }
}

/** The workbench page itself (tree, editors, menus, status bar). */
export const workbench = new BrowserFrame();

/** The webview frame whose document holds `selector`, once it is there. */
export async function webview(selector: string, timeoutMs = 30000): Promise<BrowserFrame> {
  const frame = new BrowserFrame(selector);
  await waitFor(() => frame.eval(() => true).catch(() => false), `a webview drawing ${selector}`, timeoutMs);
  return frame;
}

/** The result view of a server (its webview marks its body with the server name). */
export function resultView(serverName: string, timeoutMs?: number): Promise<BrowserFrame> {
  return webview(`body[data-server=${JSON.stringify(serverName)}] .result`, timeoutMs);
}

/** Waits until a result view shows the record of `name` (tool, URI or prompt) with `text` in it. */
export async function shows(view: BrowserFrame, name: string, text: string): Promise<void> {
  let last = '';
  await waitFor(
    async () => {
      last = await view.text('.record');
      return (await view.text('.record-head .name')) === name && last.includes(text);
    },
    `the result view to show ${name} with "${text}"`,
    15000,
  ).catch((err) => assert.fail(`${String(err)}; it shows: ${last.slice(0, 400)}`));
}

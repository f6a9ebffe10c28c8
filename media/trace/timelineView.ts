/**
 * Draws a `TimelineLayout`: a time axis, then per server a row of notification ticks and the
 * lanes of request bars. Positions are percentages of the drawing's width, which the zoom
 * buttons multiply (the pane scrolls sideways). Server data goes in through `textContent`
 * and `title` only.
 */
import { axisMarks, type TimelineLayout } from './timeline';

const LANE_H = 18;
/** The narrowest bar, in px (a 50 µs call is still something to click); its padding fits in it. */
const MIN_BAR_PX = 4;
/** Room kept after a bar on its lane, in px, so neighbours never touch. */
const LANE_GAP_PX = 1;

function div(cls: string, text?: string): HTMLDivElement {
  const d = document.createElement('div');
  d.className = cls;
  if (text !== undefined) d.textContent = text;
  return d;
}

function spanMs(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
}

export class TimelineView {
  readonly root = div('timeline');
  private readonly head = div('tl-head');
  private readonly summary = div('tl-summary');
  private readonly scroller = div('tl-scroll');
  private readonly canvas = div('tl-canvas');
  private zoom = 1;

  /**
   * `compute(minBarFraction)` lays out what the filter shows; `selected()` is the model index
   * of the selected entry.
   */
  constructor(
    private readonly compute: (minBarFraction: number) => TimelineLayout,
    private readonly selected: () => number | undefined,
    private readonly onSelect: (index: number) => void,
    private readonly labelOf: (index: number) => string,
  ) {
    const zoomBtn = (label: string, title: string, f: () => number) => {
      const b = document.createElement('button');
      b.className = 'btn';
      b.textContent = label;
      b.title = title;
      b.setAttribute('aria-label', title);
      b.addEventListener('click', () => this.setZoom(f()));
      return b;
    };
    this.head.append(
      this.summary,
      zoomBtn('−', 'Zoom out', () => this.zoom / 2),
      zoomBtn('+', 'Zoom in', () => this.zoom * 2),
      zoomBtn('Fit', 'Fit the whole trace', () => 1),
    );
    this.scroller.append(this.canvas);
    this.root.append(this.head, this.scroller);
  }

  /**
   * Zooms, keeping in view what was: the newest end when the view showed it (recent traffic is
   * what one looks at), else the middle.
   */
  private setZoom(next: number): void {
    const s = this.scroller;
    const before = this.zoom;
    this.zoom = Math.min(64, Math.max(1, next));
    const atEnd = s.scrollLeft + s.clientWidth >= s.scrollWidth - 2;
    const middle = (s.scrollLeft + s.clientWidth / 2) / Math.max(1, s.scrollWidth);
    this.render();
    if (this.zoom === before) return;
    s.scrollLeft = atEnd ? s.scrollWidth : middle * s.scrollWidth - s.clientWidth / 2;
  }

  /** Lays out and draws; returns the layout. */
  render(): TimelineLayout {
    const width = Math.max(200, (this.scroller.clientWidth - 20) * this.zoom);
    const layout = this.compute((MIN_BAR_PX + LANE_GAP_PX) / width);
    const selected = this.selected();
    const { start, end, groups } = layout;
    const span = end - start;
    const pct = (t: number) => `${(((t - start) / span) * 100).toFixed(4)}%`;
    const calls = groups.reduce((n, g) => n + g.calls.length, 0);
    const ticks = groups.reduce((n, g) => n + g.ticks.length, 0);
    this.summary.textContent =
      calls + ticks === 0
        ? 'No requests or notifications match the filter.'
        : `${calls} request${calls === 1 ? '' : 's'} · ${ticks} notification${ticks === 1 ? '' : 's'} · ${spanMs(span)}${layout.dropped ? ` · the newest ${calls} shown (${layout.dropped} earlier)` : ''}`;
    this.canvas.style.width = `${this.zoom * 100}%`;
    const axis = div('tl-axis');
    for (const t of axisMarks(span, 8 * this.zoom).marks) {
      const m = div('tl-mark', t === 0 ? '0' : spanMs(t));
      m.style.left = pct(start + t);
      axis.append(m);
    }
    const parts: HTMLElement[] = [axis];
    for (const g of groups) {
      const box = div('tl-group');
      box.append(div('tl-title', g.title));
      const tickRow = div('tl-ticks');
      for (const t of g.ticks) {
        const tick = div(`tl-tick${t.fromServer ? ' in' : ' out'}${t.index === selected ? ' selected' : ''}`);
        tick.style.left = pct(t.ts);
        tick.title = `${t.label} · ${t.fromServer ? 'server → client' : 'client → server'} · at ${spanMs(t.ts - start)}`;
        tick.dataset.index = String(t.index);
        tick.addEventListener('click', () => this.onSelect(t.index));
        tickRow.append(tick);
      }
      const lanes = div('tl-lanes');
      lanes.style.height = `${Math.max(1, g.lanes) * LANE_H}px`;
      for (const c of g.calls) {
        const bar = document.createElement('button');
        bar.className = `tl-call s-${c.status}${c.open ? ' open' : ''}${c.fromServer ? ' in' : ''}${c.index === selected ? ' selected' : ''}`;
        bar.style.left = pct(c.start);
        bar.style.width = `max(${MIN_BAR_PX}px, ${(((c.end - c.start) / span) * 100).toFixed(4)}%)`;
        bar.style.top = `${c.lane * LANE_H}px`;
        bar.dataset.index = String(c.index);
        bar.dataset.lane = String(c.lane);
        const latency = c.open ? 'no answer yet' : spanMs(c.end - c.start);
        bar.textContent = `${c.label} ${latency}`;
        bar.title = `${this.labelOf(c.index)}\n${c.label} · ${latency} · ${c.status}${c.fromServer ? ' · sent by the server' : ''}\nstarts at ${spanMs(c.start - start)}`;
        bar.addEventListener('click', () => this.onSelect(c.index));
        lanes.append(bar);
      }
      box.append(tickRow, lanes);
      parts.push(box);
    }
    this.canvas.replaceChildren(...parts);
    return layout;
  }
}

/**
 * The trace timeline's layout: a waterfall of requests over time, per server. Each request is
 * a bar from when it was sent to when its answer came (still growing while pending);
 * requests that overlap in time go to different lanes; notifications are ticks. Free of DOM
 * code so it is unit-tested in Node.
 */
import type { DisplayEntry, DisplayStatus } from '../../src/shared/protocol';

interface TimelineCall {
  /** Index into the model's entries. */
  index: number;
  start: number;
  end: number;
  lane: number;
  /** No answer yet: the bar runs to `now`. */
  open: boolean;
  /** Sent by the server (sampling, roots, elicitation), not by the client. */
  fromServer: boolean;
  status: DisplayStatus;
  label: string;
}

interface TimelineTick {
  index: number;
  ts: number;
  fromServer: boolean;
  label: string;
}

interface TimelineGroup {
  key: string;
  title: string;
  lanes: number;
  calls: TimelineCall[];
  ticks: TimelineTick[];
}

export interface TimelineLayout {
  /** Epoch ms of the left and right edges. */
  start: number;
  end: number;
  groups: TimelineGroup[];
  /** Calls left out (only the newest `maxCalls` are laid out). */
  dropped: number;
}

/** Lanes per server; more overlapping calls share the lane that frees up first. */
const MAX_LANES = 16;

function isRequest(e: DisplayEntry): boolean {
  return e.kind === 'message' && !!e.method && e.label === e.method && e.status !== 'none';
}

function isNotification(e: DisplayEntry): boolean {
  return e.kind === 'message' && !!e.method && e.label === e.method && e.status === 'none' && e.pair === undefined;
}

/**
 * Lays out the entries at `indices` (the filtered rows, in arrival order). `groupOf(sx)`
 * names the server a session belongs to; `now` ends the bars of pending requests.
 * `minBarFraction`: the smallest width a bar is drawn at, as a fraction of the whole span
 * (a short call drawn that wide must not cover the next one on its lane).
 */
export function layoutTimeline(
  entries: readonly DisplayEntry[],
  indices: ArrayLike<number>,
  groupOf: (sx: number) => { key: string; title: string },
  now: number,
  { maxCalls = 2000, minBarFraction = 0 }: { maxCalls?: number; minBarFraction?: number } = {},
): TimelineLayout {
  const requests: number[] = [];
  const notes: number[] = [];
  for (let k = 0; k < indices.length; k++) {
    const e = entries[indices[k]];
    if (isRequest(e)) requests.push(indices[k]);
    else if (isNotification(e)) notes.push(indices[k]);
  }
  const dropped = Math.max(0, requests.length - maxCalls);
  const kept = dropped ? requests.slice(dropped) : requests;
  const byGroup = new Map<string, TimelineGroup>();
  const group = (sx: number) => {
    const g = groupOf(sx);
    let out = byGroup.get(g.key);
    if (!out) byGroup.set(g.key, (out = { key: g.key, title: g.title, lanes: 0, calls: [], ticks: [] }));
    return out;
  };
  let start = Infinity;
  let end = -Infinity;
  for (const index of kept) {
    const e = entries[index];
    const open = e.latencyMs === undefined;
    const callEnd = open ? Math.max(now, e.ts) : e.ts + e.latencyMs!;
    start = Math.min(start, e.ts);
    end = Math.max(end, callEnd);
    group(e.sx).calls.push({
      index,
      start: e.ts,
      end: callEnd,
      lane: 0,
      open,
      fromServer: e.dir === 'in',
      status: e.status,
      label: e.tool ? `${e.method} ${e.tool}` : e.method!,
    });
  }
  // Ticks within the window of the kept calls (all of them when there are no calls).
  const from = dropped ? start : -Infinity;
  for (const index of notes) {
    const e = entries[index];
    if (e.ts < from) continue;
    start = Math.min(start, e.ts);
    end = Math.max(end, e.ts);
    group(e.sx).ticks.push({ index, ts: e.ts, fromServer: e.dir === 'in', label: e.method! });
  }
  if (start === Infinity) start = end = now;
  if (end - start < 1) end = start + 1;
  const minMs = minBarFraction * (end - start);
  for (const g of byGroup.values()) g.lanes = assignLanes(g.calls, minMs);
  return { start, end, groups: [...byGroup.values()], dropped };
}

/**
 * Greedy interval packing: each call takes the first lane free at its start (a call is at
 * least `minMs` long there). Returns the lane count.
 */
function assignLanes(calls: TimelineCall[], minMs: number): number {
  calls.sort((a, b) => a.start - b.start || a.end - b.end);
  const laneEnds: number[] = [];
  for (const c of calls) {
    const end = Math.max(c.end, c.start + minMs);
    let lane = laneEnds.findIndex((e) => e <= c.start);
    if (lane < 0) {
      if (laneEnds.length < MAX_LANES) lane = laneEnds.push(end) - 1;
      else lane = laneEnds.indexOf(Math.min(...laneEnds));
    }
    laneEnds[lane] = Math.max(laneEnds[lane], end);
    c.lane = lane;
  }
  return laneEnds.length;
}

/** Axis marks at a round step (1, 2 or 5 × 10ⁿ ms) giving about `count` marks over the span. */
export function axisMarks(spanMs: number, count = 8): { step: number; marks: number[] } {
  const raw = spanMs / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-3)));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const marks: number[] = [];
  for (let t = 0; t <= spanMs + 1e-9 && marks.length < 1000; t += step) marks.push(t);
  return { step, marks };
}

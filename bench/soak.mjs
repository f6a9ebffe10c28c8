#!/usr/bin/env node
// Soak benchmark: many echo calls against @modelcontextprotocol/server-everything (stdio) through
// McpSession, with a TraceRecorder whose tap is the JSONL TraceFileWriter (writing to a temp dir).
//
//   node bench/soak.mjs [--calls N] [--concurrency C] [--keep]      (default 100000 calls, C = 1)
//
// src/core/session/mcpSession.ts, src/core/trace/recorder.ts and src/core/trace/store.ts are bundled
// with esbuild into a temp CJS file (the way the extension ships them) and loaded with require().
// Reports: this process's memory (RSS, heap) at start, end and peak (sampled every 1 s), the
// server's RSS (McpSession health samples), calls/s, and checks the JSONL file: every line parses,
// seq has no gaps, and every tools/call request has its response (2 lines per call + handshake +
// whatever the server sent on its own). Exit code 1 when a check fails or a call failed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { performance } from 'node:perf_hooks';
import { everythingConfig, loadCore, scratch } from './lib/core.mjs';

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : dflt;
};
const CALLS = arg('--calls', 100000);
const CONCURRENCY = Math.max(1, arg('--concurrency', 1));
const KEEP = argv.includes('--keep');
const mb = (b) => (b / 1048576).toFixed(1);

// ---------------------------------------------------------------- bundle
const tmp = scratch('mcpd-soak-');
const { McpSession, TraceRecorder, TraceFileWriter, makeHeader } = await loadCore(tmp, [
  "export { McpSession } from './src/core/session/mcpSession';",
  "export { TraceRecorder } from './src/core/trace/recorder';",
  "export { TraceFileWriter, makeHeader } from './src/core/trace/store';",
]);

// ---------------------------------------------------------------- memory sampling
const mem = { start: process.memoryUsage(), end: undefined, peakRss: 0, peakHeap: 0, samples: 0 };
const sample = () => {
  const m = process.memoryUsage();
  mem.peakRss = Math.max(mem.peakRss, m.rss);
  mem.peakHeap = Math.max(mem.peakHeap, m.heapUsed);
  mem.samples++;
  return m;
};
sample();
const sampler = setInterval(sample, 1000);

// ---------------------------------------------------------------- session
const serverConfig = everythingConfig(tmp, { id: 'bench:soak-everything' });
const file = path.join(tmp, 'trace.jsonl');
const writer = new TraceFileWriter(
  file,
  makeHeader({ serverId: serverConfig.id, serverName: serverConfig.name, writer: 'bench-soak' }),
  {
    onError: (e) => console.error(`trace writer failed: ${e.message}`),
  },
);
const recorder = new TraceRecorder({ serverId: serverConfig.id, serverName: serverConfig.name, tap: writer.write });
const session = new McpSession({
  server: serverConfig,
  trace: recorder,
  healthIntervalMs: 1000,
  requestTimeoutMs: 30000,
  workspaceFolder: tmp,
});

await session.start();
if (session.view().state.kind !== 'running') {
  console.error(
    'server did not start',
    JSON.stringify(session.view().state),
    session.view().findings.map((f) => f.message),
  );
  process.exit(1);
}
const handshakeSeq = recorder.lastSeq;
console.error(`started: ${session.view().tools.length} tools; ${CALLS} echo calls, concurrency ${CONCURRENCY}`);

let failed = 0;
let firstError;
let next = 0;
let done = 0;
const t0 = performance.now();
const wallStart = Date.now();
const progress = setInterval(() => {
  const s = (performance.now() - t0) / 1000;
  console.error(
    `  ${done}/${CALLS} calls, ${(done / s).toFixed(0)} calls/s, rss ${mb(process.memoryUsage().rss)} MB, recorder ${recorder.length} entries`,
  );
}, 10000);
async function worker() {
  while (next < CALLS) {
    const i = next++;
    const r = await session.callTool('echo', { message: `soak ${i}` });
    done++;
    if (!r.ok) {
      failed++;
      firstError ??= r.error?.message;
    }
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
const seconds = (performance.now() - t0) / 1000;
clearInterval(progress);
const serverHealth = session.health();
await session.stop();
writer.close();
clearInterval(sampler);
mem.end = sample();

// ---------------------------------------------------------------- verify the JSONL file
const check = {
  lines: 0,
  header: false,
  messages: 0,
  calls: 0,
  responses: 0,
  other: 0,
  badLines: 0,
  seqGaps: 0,
  lastSeq: 0,
};
const callIds = new Set();
const answered = new Set();
const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
let expectSeq = 1;
for await (const text of rl) {
  if (!text) continue;
  let l;
  try {
    l = JSON.parse(text);
  } catch {
    check.badLines++;
    continue;
  }
  if (l.type === 'header') {
    check.header = true;
    continue;
  }
  check.lines++;
  if (l.seq !== expectSeq) check.seqGaps++;
  expectSeq = l.seq + 1;
  check.lastSeq = l.seq;
  if (l.kind !== 'message') continue;
  check.messages++;
  const m = l.msg;
  if (l.dir === 'out' && m.method === 'tools/call') {
    check.calls++;
    callIds.add(m.id);
  } else if (l.dir === 'in' && m.id !== undefined && callIds.has(m.id) && ('result' in m || 'error' in m)) {
    check.responses++;
    answered.add(m.id);
  } else check.other++;
}
const fileBytes = fs.statSync(file).size;
const ok =
  check.header &&
  check.badLines === 0 &&
  check.seqGaps === 0 &&
  check.calls === CALLS &&
  answered.size === CALLS &&
  check.lastSeq === recorder.lastSeq &&
  failed === 0;

const result = {
  calls: CALLS,
  concurrency: CONCURRENCY,
  failedCalls: failed,
  firstError,
  seconds: +seconds.toFixed(1),
  callsPerSecond: +(CALLS / seconds).toFixed(0),
  memoryMB: {
    start: { rss: +mb(mem.start.rss), heapUsed: +mb(mem.start.heapUsed) },
    end: { rss: +mb(mem.end.rss), heapUsed: +mb(mem.end.heapUsed) },
    peak: { rss: +mb(mem.peakRss), heapUsed: +mb(mem.peakHeap) },
    samples: mem.samples,
  },
  // The server's RSS from the first sample after the calls started, its peak, and the last one.
  serverRssMB: (() => {
    const h = serverHealth.filter((x) => x.ts >= wallStart);
    return h.length
      ? {
          first: +mb(h[0].rssBytes),
          peak: +mb(Math.max(...h.map((x) => x.rssBytes))),
          last: +mb(h[h.length - 1].rssBytes),
          samples: h.length,
        }
      : undefined;
  })(),
  recorder: {
    inMemory: recorder.length,
    memoryMB: +mb(recorder.memoryBytes),
    lastSeq: recorder.lastSeq,
    handshakeEntries: handshakeSeq,
  },
  jsonl: {
    fileMB: +mb(fileBytes),
    lines: check.lines,
    messageLines: check.messages,
    toolsCallRequests: check.calls,
    toolsCallResponses: check.responses,
    otherMessages: check.other,
    nonMessageLines: check.lines - check.messages,
    badLines: check.badLines,
    seqGaps: check.seqGaps,
    expectedMessageLines: `2 × ${CALLS} calls + ${check.other} handshake/other = ${2 * CALLS + check.other}`,
  },
  findings: session.view().findings.map((f) => `${f.code}: ${f.message.slice(0, 120)}`),
  ok,
};
console.log(JSON.stringify(result, null, 2));
if (!KEEP) fs.rmSync(tmp, { recursive: true, force: true });
else console.error(`kept ${tmp}`);
process.exit(ok ? 0 : 1);

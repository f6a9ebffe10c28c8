// Trace benchmarks, side by side in one run (modes interleaved in rotated order per round,
// medians, paired ratios = median of per-round ratios). Every mode is the product path: an
// McpSession (src/core/session, the extension's and the CLI's client) against server-everything.
//   1. sequential calls without tracing, with a TraceRecorder (the always-on in-memory trace),
//      and with the recorder + batched JSONL persistence, switched on one session (same server
//      process and pipes), chunk by chunk.                             target: ≤ 2 % per call
//   2. heap held by 100,000 typical messages in the recorder (child process, --expose-gc).
//                                                                      target: ≤ 40 MB
//   3. the stdio proxy's added latency per call vs a direct connection. target: ≤ 5 %
// Two workloads: `echo` (a ~100 µs call that does nothing: the floor case, where any fixed cost
// shows at its largest) and `io` (a tool that waits 2 ms and reports progress twice, 4 messages
// per call: the shape of a real tool that reads a file or calls an API).
// Many short rounds (30 echo calls per mode per round by default) pair measurements taken
// milliseconds apart, which is what makes a 1 % difference readable on a shared VM.
// usage: node esbuild.mjs && node bench/trace.mjs [--rounds 200] [--calls 6000] [--io-calls 1000]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { everythingConfig, loadCore, median, REPO, scratch, SE } from './lib/core.mjs';

const CLI = path.join(REPO, 'dist/cli.js');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
// Calls per mode are split into ROUNDS chunks; modes alternate chunk by chunk (rotated).
const ROUNDS = arg('--rounds', 200);
const CALLS = arg('--calls', 6000);
const IO_CALLS = arg('--io-calls', 1000);

const CORE_EXPORTS = [
  "export { McpSession } from './src/core/session/mcpSession';",
  "export { TraceRecorder } from './src/core/trace/recorder';",
  "export { TraceFileWriter, makeHeader } from './src/core/trace/store';",
];

const WORKLOADS = {
  echo: (s, i, tag) => s.callTool('echo', { message: `${tag} message number ${i} with a few words in it` }),
  io: (s) => s.callTool('trigger-long-running-operation', { duration: 0.002, steps: 2 }, { onProgress: () => {} }),
};

/** Median per-call latency (µs) of `n` sequential calls of `workload`. */
async function sequential(session, n, tag, workload) {
  const call = WORKLOADS[workload];
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = performance.now();
    const r = await call(session, i, tag);
    t[i] = (performance.now() - a) * 1000;
    if (!r.ok || r.isError) throw new Error(`${tag}: ${workload} call failed: ${JSON.stringify(r).slice(0, 300)}`);
  }
  return median(t);
}

async function latencyBench(core, tmp) {
  const { McpSession, TraceRecorder, TraceFileWriter, makeHeader } = core;
  const proxied = (trace) => ({
    command: process.execPath,
    args: [
      CLI,
      'proxy',
      ...(trace ? ['--trace', path.join(tmp, 'proxy.jsonl')] : []),
      '--',
      process.execPath,
      SE,
      'stdio',
    ],
  });
  const recorder = new TraceRecorder({ serverId: 'r', serverName: 'r' });
  const writer = new TraceFileWriter(
    path.join(tmp, 'persist.jsonl'),
    makeHeader({ serverId: 'p', serverName: 'p', writer: 'bench' }),
  );
  const persisted = new TraceRecorder({ serverId: 'p', serverName: 'p', tap: writer.write });
  const open = async (name, trace, server = {}) => {
    const s = new McpSession({
      server: everythingConfig(tmp, { id: `bench:${name}`, ...server }),
      trace,
      healthIntervalMs: 0,
      workspaceFolder: tmp,
    });
    await s.start();
    if (s.view().state.kind !== 'running') throw new Error(`${name}: ${JSON.stringify(s.view().state)}`);
    return s;
  };
  // Tracing is switched on and off on one session between chunks: with and without tracing then
  // share the server process and the pipes, so only the recording differs.
  const off = { message() {}, stderr() {}, stdoutNoise() {}, lifecycle() {} };
  const sw = {
    target: off,
    message(d, m, ts, size) {
      this.target.message(d, m, ts, size);
    },
    stderr(l, ts) {
      this.target.stderr(l, ts);
    },
    stdoutNoise(l, ts) {
      this.target.stdoutNoise(l, ts);
    },
    lifecycle(t, ts) {
      this.target.lifecycle(t, ts);
    },
  };
  const traced = await open('traced', sw);
  const modes = {
    plain: { session: traced, sink: off },
    recorder: { session: traced, sink: recorder },
    'recorder+jsonl': { session: traced, sink: persisted },
    // A/A control: another untraced session with its own server. Its ratio to `plain` is the
    // noise between two processes, the floor under which the proxy figures cannot be read.
    'plain-2': { session: await open('plain-2') },
    proxy: { session: await open('proxy', undefined, proxied(true)) },
    // The extra process hop alone (no recording): separates pipe cost from trace cost.
    'proxy-notrace': { session: await open('proxy-notrace', undefined, proxied(false)) },
  };
  const run = (n, count, workload) => {
    sw.target = modes[n].sink ?? off;
    return sequential(modes[n].session, count, n, workload);
  };
  const names = Object.keys(modes);
  // Warm-up: JIT, server caches.
  for (const n of names) {
    await run(n, 300, 'echo');
    await run(n, 30, 'io');
  }
  const result = { rounds: ROUNDS };
  for (const [workload, calls] of [
    ['echo', CALLS],
    ['io', IO_CALLS],
  ]) {
    const chunk = Math.max(1, Math.floor(calls / ROUNDS));
    const per = Object.fromEntries(names.map((n) => [n, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (let k = 0; k < names.length; k++) {
        const n = names[(k + r) % names.length];
        per[n].push(await run(n, chunk, workload));
      }
      if ((r + 1) % 5 === 0)
        process.stderr.write(
          `${workload} round ${r + 1}/${ROUNDS}: ${names.map((n) => `${n} ${per[n][r].toFixed(0)} µs`).join(', ')}\n`,
        );
    }
    const ratios = (n, base = 'plain') => per[n].map((v, i) => v / per[base][i]);
    const ratio = (n, base = 'plain') => median(ratios(n, base));
    // Interquartile range of the per-round ratios: how far one round's answer can be trusted.
    const iqr = (xs) => {
      const q = [...xs].sort((a, b) => a - b);
      return [+q[Math.floor(q.length / 4)].toFixed(3), +q[Math.floor((3 * q.length) / 4)].toFixed(3)];
    };
    result[workload] = {
      callsPerMode: chunk * ROUNDS,
      medianUs: Object.fromEntries(names.map((n) => [n, +median(per[n]).toFixed(1)])),
      pairedRatio: Object.fromEntries(names.filter((n) => n !== 'plain').map((n) => [n, +ratio(n).toFixed(3)])),
      ratioIqr: Object.fromEntries(names.filter((n) => n !== 'plain').map((n) => [n, iqr(ratios(n))])),
      // Added µs per call, paired: what each mode costs in absolute terms.
      addedUs: Object.fromEntries(
        names.filter((n) => n !== 'plain').map((n) => [n, +median(per[n].map((v, i) => v - per.plain[i])).toFixed(1)]),
      ),
      proxyVsHopOnly: +ratio('proxy', 'proxy-notrace').toFixed(3),
      proxyVsControl: +ratio('proxy', 'plain-2').toFixed(3),
    };
  }
  result.recorded = {
    recorder: recorder.lastSeq,
    persistedLines: writer.linesWritten,
    persistedBatches: writer.batches,
  };
  for (const s of new Set(Object.values(modes).map((m) => m.session))) await s.stop();
  writer.close();
  return result;
}

/**
 * Cost of recording one message, isolated from IPC noise: typical echo traffic parsed fresh for
 * every message (as a session receives it, so keeping it costs what it costs the GC: promotion
 * out of the young generation), through `TraceRecorder.message` (ring only, and ring + batched
 * JSONL). `parse` alone is the baseline that is subtracted. ns per message.
 */
async function microBench(core, tmp) {
  const lines = [];
  for (let i = 0; i < 20000; i++) {
    const text = `hello number ${i} from the quick brown fox`;
    lines.push([
      'out',
      `{"jsonrpc":"2.0","id":${i},"method":"tools/call","params":{"name":"echo","arguments":{"message":"${text}"}}}`,
    ]);
    lines.push(['in', `{"result":{"content":[{"type":"text","text":"Echo: ${text}"}]},"jsonrpc":"2.0","id":${i}}`]);
  }
  const PER = 100_000;
  const MODES = ['parse', 'ring', 'ring+jsonl'];
  const res = Object.fromEntries(MODES.map((m) => [m, []]));
  const cpu = Object.fromEntries(MODES.map((m) => [m, []]));
  let sink = 0;
  for (let rep = 0; rep < 9; rep++) {
    for (let k = 0; k < MODES.length; k++) {
      const mode = MODES[(k + rep) % MODES.length];
      const writer =
        mode === 'ring+jsonl'
          ? new core.TraceFileWriter(
              path.join(tmp, `m${rep}.jsonl`),
              core.makeHeader({ serverId: 'm', serverName: 'm', writer: 'bench' }),
            )
          : undefined;
      const rec =
        mode === 'parse' ? undefined : new core.TraceRecorder({ serverId: 'm', serverName: 'm', tap: writer?.write });
      global.gc?.();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < PER; i++) {
        const [d, l] = lines[i % lines.length];
        const m = JSON.parse(l);
        if (rec) rec.message(d, m, i, l.length);
        else sink += m.id;
      }
      writer?.close(); // includes writing everything to disk
      const ns = ((performance.now() - t0) * 1e6) / PER;
      const c = process.cpuUsage(c0);
      if (rep > 0) {
        res[mode].push(ns);
        cpu[mode].push(((c.user + c.system) * 1e3) / PER);
      }
      rec?.dispose();
    }
  }
  if (sink === -1) console.log(sink);
  const minus = (table, mode) => Math.round(median(table[mode]) - median(table.parse));
  return {
    nsPerMessage: { ring: minus(res, 'ring'), 'ring+jsonl': minus(res, 'ring+jsonl') },
    cpuNsPerMessage: { ring: minus(cpu, 'ring'), 'ring+jsonl': minus(cpu, 'ring+jsonl') },
    parseNsPerMessage: Math.round(median(res.parse)),
  };
}

/** Child mode: heap held by 100k typical messages (echo calls and results, as parsed objects). */
async function memChild() {
  const tmp = scratch('mcpdoc-bench-mem-');
  const core = await loadCore(tmp, CORE_EXPORTS);
  const settle = () => {
    for (let i = 0; i < 4; i++) global.gc();
  };
  const words =
    'the quick brown fox jumps over the lazy dog while a trace recorder watches every json rpc message go by'.split(
      ' ',
    );
  const text = (i) => Array.from({ length: 2 + ((i * 7) % 30) }, (_, k) => words[(i + k) % words.length]).join(' ');
  const line = (i) =>
    i % 2 === 0
      ? `{"jsonrpc":"2.0","id":${i >> 1},"method":"tools/call","params":{"name":"echo","arguments":{"message":"${text(i)}"}}}`
      : `{"result":{"content":[{"type":"text","text":"Echo: ${text(i - 1)}"}]},"jsonrpc":"2.0","id":${i >> 1}}`;
  // Warm the code paths so JIT code is in the baseline.
  const warm = new core.TraceRecorder({ serverId: 'w', serverName: 'w', maxMessages: 2000 });
  for (let i = 0; i < 4000; i++) warm.message(i % 2 ? 'in' : 'out', JSON.parse(line(i)), i);
  warm.dispose();
  settle();
  const before = process.memoryUsage();
  const rec = new core.TraceRecorder({ serverId: 'm', serverName: 'm' });
  let bytes = 0;
  for (let i = 0; i < 100_000; i++) {
    const l = line(i);
    bytes += l.length;
    rec.message(i % 2 ? 'in' : 'out', JSON.parse(l), i, l.length);
  }
  rec.flushEvents();
  settle();
  const after = process.memoryUsage();
  const MB = (x) => +(x / 1048576).toFixed(1);
  console.log(
    JSON.stringify({
      messages: rec.length,
      avgJsonBytes: Math.round(bytes / 100_000),
      jsonMB: MB(bytes),
      heapDeltaMB: MB(after.heapUsed - before.heapUsed),
      externalDeltaMB: MB(after.external + after.arrayBuffers - before.external - before.arrayBuffers),
      rssDeltaMB: MB(after.rss - before.rss),
      paired: rec.statsFor('echo')?.calls,
    }),
  );
  if (!rec.get(1)) console.log('x'); // keep the recorder alive until measured
  fs.rmSync(tmp, { recursive: true, force: true });
}

if (process.argv.includes('--mem-child')) {
  await memChild();
} else {
  if (!fs.existsSync(CLI)) throw new Error('build first: node esbuild.mjs (dist/cli.js is the proxy)');
  const tmp = scratch('mcpdoc-bench-trace-');
  const core = await loadCore(tmp, CORE_EXPORTS);
  console.error(`trace bench: ${CALLS} echo and ${IO_CALLS} io calls per mode, in ${ROUNDS} alternating chunks`);
  const micro = await microBench(core, tmp);
  const latency = await latencyBench(core, tmp);
  fs.rmSync(tmp, { recursive: true, force: true });
  const mem = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--mem-child'], {
    encoding: 'utf8',
  });
  const memory = JSON.parse(mem.stdout.trim().split('\n')[0]);
  const out = {
    node: process.version,
    cpus: os.cpus().length,
    loadavg: os.loadavg().map((x) => +x.toFixed(1)),
    micro,
    latency,
    memory,
    verdict: {
      // 2 messages per call, against the plain per-call latency of this run.
      recorderCostPctOfCall: +(((2 * micro.nsPerMessage.ring) / 1000 / latency.echo.medianUs.plain) * 100).toFixed(2),
      recorderJsonlCostPctOfCall: +(
        ((2 * micro.nsPerMessage['ring+jsonl']) / 1000 / latency.echo.medianUs.plain) *
        100
      ).toFixed(2),
      recorderOverheadPct: +((latency.echo.pairedRatio.recorder - 1) * 100).toFixed(1),
      recorderJsonlOverheadPct: +((latency.echo.pairedRatio['recorder+jsonl'] - 1) * 100).toFixed(1),
      proxyOverheadPctEcho: +((latency.echo.pairedRatio.proxy - 1) * 100).toFixed(1),
      proxyOverheadPctIo: +((latency.io.pairedRatio.proxy - 1) * 100).toFixed(1),
      // The A/A control's distance from `plain`: differences smaller than this are noise.
      noiseFloorPctEcho: +((latency.echo.pairedRatio['plain-2'] - 1) * 100).toFixed(1),
      noiseFloorPctIo: +((latency.io.pairedRatio['plain-2'] - 1) * 100).toFixed(1),
      proxyHopOnlyOverheadPctEcho: +((latency.echo.pairedRatio['proxy-notrace'] - 1) * 100).toFixed(1),
      proxyRecordingVsHopPctEcho: +((latency.echo.proxyVsHopOnly - 1) * 100).toFixed(1),
      memoryHeapPlusExternalMB: +(memory.heapDeltaMB + memory.externalDeltaMB).toFixed(1),
    },
  };
  console.log(JSON.stringify(out, null, 2));
}

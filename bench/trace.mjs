// Trace benchmarks, side by side in one run (modes interleaved in rotated order per round,
// medians, paired ratios = median of per-round ratios):
//   1. 2,000 sequential `echo` calls against server-everything: plain SDK client vs the same
//      client with a TraceRecorder in the path (a transport wrapper calling the TraceSink),
//      and with the recorder + batched JSONL persistence.          target: ≤ 2 % per call
//   2. heap held by 100,000 typical messages in the recorder (child process, --expose-gc).
//                                                                     target: ≤ 40 MB
//   3. the stdio proxy's added latency per call vs a direct connection. target: ≤ 5 %
// usage: node esbuild.mjs && node bench/trace.mjs [--rounds 20] [--calls 2000]
// The TypeScript sources are bundled on the fly with esbuild (no build step of our own).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SE = path.join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const CLI = path.join(root, 'dist/cli.js');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
// Calls per mode are split into ROUNDS chunks; modes alternate chunk by chunk (rotated), so
// each paired ratio compares chunks run seconds apart, not minutes (this VM is noisy).
const ROUNDS = arg('--rounds', 20);
const CALLS = arg('--calls', 2000);
const CHUNK = Math.max(1, Math.floor(CALLS / ROUNDS));
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Bundles the trace core into one ESM file we can import from plain Node. */
async function loadCore() {
  const out = path.join(os.tmpdir(), `mcpdoc-bench-core-${process.pid}.mjs`);
  await esbuild.build({
    stdin: {
      contents: "export * from './src/core/trace/recorder'; export * from './src/core/trace/store'; export { now } from './src/core/trace/types';",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: out,
    logLevel: 'error',
  });
  return import(pathToFileURL(out).href);
}

/** An SDK transport wrapper that reports every message to a TraceSink (what McpSession does). */
class TracingTransport {
  constructor(inner, sink, now) {
    this.inner = inner;
    this.sink = sink;
    this.now = now;
  }
  async start() {
    this.inner.onmessage = (msg, extra) => {
      this.sink.message('in', msg, this.now());
      this.onmessage?.(msg, extra);
    };
    this.inner.onerror = (e) => this.onerror?.(e);
    this.inner.onclose = () => this.onclose?.();
    return this.inner.start();
  }
  send(msg, opts) {
    this.sink.message('out', msg, this.now());
    return this.inner.send(msg, opts);
  }
  close() {
    return this.inner.close();
  }
  setProtocolVersion(v) {
    this.inner.setProtocolVersion?.(v);
  }
}

async function connect(transport) {
  const client = new Client({ name: 'bench-trace', version: '0.0.0' }, { capabilities: {} });
  await client.connect(transport);
  await client.listTools();
  return client;
}

/** Median per-call latency (µs) of `n` sequential echo calls. */
async function sequential(client, n, tag) {
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = performance.now();
    await client.callTool({ name: 'echo', arguments: { message: `${tag} message number ${i} with a few words in it` } });
    t[i] = (performance.now() - a) * 1000;
  }
  return median(t);
}

async function latencyBench(core) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpdoc-bench-'));
  const stdio = () => new StdioClientTransport({ command: process.execPath, args: [SE, 'stdio'], stderr: 'ignore' });
  const recorder = new core.TraceRecorder({ serverId: 'b', serverName: 'b' });
  const writer = new core.TraceFileWriter(path.join(tmp, 'persist.jsonl'), core.makeHeader({ serverId: 'p', serverName: 'p', writer: 'bench' }));
  const persisted = new core.TraceRecorder({ serverId: 'p', serverName: 'p', tap: writer.write });
  const modes = {
    plain: await connect(stdio()),
    recorder: await connect(new TracingTransport(stdio(), recorder, core.now)),
    'recorder+jsonl': await connect(new TracingTransport(stdio(), persisted, core.now)),
    proxy: await connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'proxy', '--trace', path.join(tmp, 'proxy.jsonl'), '--', process.execPath, SE, 'stdio'], stderr: 'ignore' })),
    // The extra process hop alone (no recording): separates pipe cost from trace cost.
    'proxy-notrace': await connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'proxy', '--', process.execPath, SE, 'stdio'], stderr: 'ignore' })),
  };
  const names = Object.keys(modes);
  // Warm-up: JIT, server caches.
  for (const n of names) await sequential(modes[n], 300, n);
  const per = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < names.length; k++) {
      const n = names[(k + r) % names.length];
      per[n].push(await sequential(modes[n], CHUNK, n));
    }
    if ((r + 1) % 5 === 0) process.stderr.write(`round ${r + 1}/${ROUNDS}: ${names.map((n) => `${n} ${per[n][r].toFixed(0)} µs`).join(', ')}\n`);
  }
  const ratio = (n) => median(per[n].map((v, i) => v / per.plain[i]));
  const result = {
    callsPerMode: CHUNK * ROUNDS,
    rounds: ROUNDS,
    medianUs: Object.fromEntries(names.map((n) => [n, +median(per[n]).toFixed(1)])),
    pairedRatio: Object.fromEntries(names.filter((n) => n !== 'plain').map((n) => [n, +ratio(n).toFixed(3)])),
    proxyVsHopOnly: +median(per.proxy.map((v, i) => v / per['proxy-notrace'][i])).toFixed(3),
    recorded: { recorder: recorder.lastSeq, persistedLines: writer.linesWritten, persistedBatches: writer.batches },
  };
  for (const c of Object.values(modes)) await c.close();
  writer.close();
  fs.rmSync(tmp, { recursive: true, force: true });
  return result;
}

/**
 * Cost of recording one message, isolated from IPC noise: typical echo traffic as parsed
 * objects, through `TraceRecorder.message` (ring only, and ring + batched JSONL), ns/message.
 */
async function microBench(core) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpdoc-micro-'));
  const msgs = [];
  for (let i = 0; i < 20000; i++) {
    const text = `hello number ${i} from the quick brown fox`;
    msgs.push(['out', JSON.parse(`{"jsonrpc":"2.0","id":${i},"method":"tools/call","params":{"name":"echo","arguments":{"message":"${text}"}}}`)]);
    msgs.push(['in', JSON.parse(`{"result":{"content":[{"type":"text","text":"Echo: ${text}"}]},"jsonrpc":"2.0","id":${i}}`)]);
  }
  const PER = 100_000;
  const res = { ring: [], 'ring+jsonl': [] };
  const cpu = { ring: [], 'ring+jsonl': [] };
  for (let rep = 0; rep < 8; rep++) {
    for (const mode of rep % 2 ? ['ring', 'ring+jsonl'] : ['ring+jsonl', 'ring']) {
      const writer = mode === 'ring' ? undefined : new core.TraceFileWriter(path.join(tmp, `m${rep}.jsonl`), core.makeHeader({ serverId: 'm', serverName: 'm', writer: 'bench' }));
      const rec = new core.TraceRecorder({ serverId: 'm', serverName: 'm', tap: writer?.write });
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < PER; i++) {
        const [d, m] = msgs[i % msgs.length];
        rec.message(d, m, i, 180);
      }
      writer?.close(); // includes writing everything to disk
      const ns = ((performance.now() - t0) * 1e6) / PER;
      const c = process.cpuUsage(c0);
      if (rep > 1) {
        res[mode].push(ns);
        cpu[mode].push(((c.user + c.system) * 1e3) / PER);
      }
      rec.dispose();
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return {
    nsPerMessage: { ring: Math.round(median(res.ring)), 'ring+jsonl': Math.round(median(res['ring+jsonl'])) },
    cpuNsPerMessage: { ring: Math.round(median(cpu.ring)), 'ring+jsonl': Math.round(median(cpu['ring+jsonl'])) },
  };
}

/** Child mode: heap held by 100k typical messages (echo calls and results, as parsed objects). */
async function memChild() {
  const core = await loadCore();
  const settle = () => {
    for (let i = 0; i < 4; i++) global.gc();
  };
  const words = 'the quick brown fox jumps over the lazy dog while a trace recorder watches every json rpc message go by'.split(' ');
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
  console.log(JSON.stringify({ messages: rec.length, avgJsonBytes: Math.round(bytes / 100_000), jsonMB: MB(bytes), heapDeltaMB: MB(after.heapUsed - before.heapUsed), externalDeltaMB: MB(after.external + after.arrayBuffers - before.external - before.arrayBuffers), rssDeltaMB: MB(after.rss - before.rss), paired: rec.statsFor('echo')?.calls }));
  if (!rec.get(1)) console.log('x'); // keep the recorder alive until measured
}

if (process.argv.includes('--mem-child')) {
  await memChild();
} else {
  if (!fs.existsSync(CLI)) throw new Error('build first: node esbuild.mjs (dist/cli.js is the proxy)');
  const core = await loadCore();
  console.error(`trace bench: ${CHUNK * ROUNDS} sequential echo calls per mode in ${ROUNDS} alternating chunks of ${CHUNK}`);
  const micro = await microBench(core);
  const latency = await latencyBench(core);
  const mem = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--mem-child'], { encoding: 'utf8' });
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
      recorderCostPctOfCall: +(((2 * micro.nsPerMessage.ring) / 1000 / latency.medianUs.plain) * 100).toFixed(2),
      recorderJsonlCostPctOfCall: +(((2 * micro.nsPerMessage['ring+jsonl']) / 1000 / latency.medianUs.plain) * 100).toFixed(2),
      recorderOverheadPct: +((latency.pairedRatio.recorder - 1) * 100).toFixed(1),
      recorderJsonlOverheadPct: +((latency.pairedRatio['recorder+jsonl'] - 1) * 100).toFixed(1),
      proxyOverheadPct: +((latency.pairedRatio.proxy - 1) * 100).toFixed(1),
      proxyHopOnlyOverheadPct: +((latency.pairedRatio['proxy-notrace'] - 1) * 100).toFixed(1),
      proxyRecordingVsHopPct: +((latency.proxyVsHopOnly - 1) * 100).toFixed(1),
      memoryHeapPlusExternalMB: +(memory.heapDeltaMB + memory.externalDeltaMB).toFixed(1),
    },
  };
  console.log(JSON.stringify(out, null, 2));
}

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TraceRecorder } from '../../../src/core/trace/recorder';
import {
  exportTrace,
  listSessions,
  makeHeader,
  readTraceFile,
  rotateSessions,
  TraceFileTail,
  TraceFileWriter,
} from '../../../src/core/trace/store';
import { waitFor } from '../../waitFor';

const root = path.resolve(__dirname, '../../..');

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mcpdoc-trace-'));
}

function fill(rec: TraceRecorder, calls: number, t0 = 1000): void {
  for (let i = 1; i <= calls; i++) {
    rec.record(
      'message',
      'out',
      {
        jsonrpc: '2.0',
        id: i,
        method: 'tools/call',
        params: { name: i % 2 ? 'echo' : 'add', arguments: { message: `hi ${i}` } },
      },
      t0 + i * 10,
    );
    rec.record(
      'message',
      'in',
      { jsonrpc: '2.0', id: i, result: { content: [{ type: 'text', text: `Echo: hi ${i}` }] } },
      t0 + i * 10 + 3,
    );
  }
}

describe('trace/store', () => {
  let dir: string;
  beforeEach(() => {
    dir = tmpDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes a header and batched lines, and reopens to the same entries (round trip)', async () => {
    const file = path.join(dir, 's.jsonl');
    const config = { name: 'demo', command: 'node', args: ['srv.js'], env: { API_TOKEN: 'secret-value' } };
    const writer = new TraceFileWriter(
      file,
      makeHeader({
        serverId: 'vscode:x#demo',
        serverName: 'demo',
        config,
        writer: 'test',
        versions: { sdk: '1.32.2' },
      }),
    );
    const rec = new TraceRecorder({ serverId: 'vscode:x#demo', serverName: 'demo', tap: writer.write });
    fill(rec, 500);
    rec.stderr('warning: something', 99999);
    rec.lifecycle('exited with code 0', 100000);
    writer.close();
    assert.ok(
      writer.batches >= 1 && writer.batches < 50,
      `${writer.batches} batches for 1002 lines (never one per message)`,
    );
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(!text.includes('secret-value'), 'the header config is redacted');
    const back = await readTraceFile(file);
    assert.equal(back.problems.length, 0);
    assert.equal(back.entries, 1002);
    assert.equal(back.header?.serverName, 'demo');
    assert.deepEqual((back.header?.config as { env: unknown }).env, { API_TOKEN: '***' });
    const a = [...rec.entries()];
    const b = [...back.recorder.entries()];
    assert.equal(b.length, a.length);
    for (let i = 0; i < a.length; i++) {
      assert.deepEqual(
        { ...b[i], msg: JSON.stringify(b[i].msg) },
        { ...a[i], msg: JSON.stringify(a[i].msg) },
        `entry ${i + 1}`,
      );
    }
    assert.deepEqual(back.recorder.statsFor('echo'), rec.statsFor('echo'));
    rec.dispose();
  });

  it('flushes on the 20 ms timer and at 64 KiB, one write per batch', async () => {
    const file = path.join(dir, 't.jsonl');
    const writer = new TraceFileWriter(file, makeHeader({ serverId: 'a', serverName: 'a', writer: 'test' }));
    const rec = new TraceRecorder({ serverId: 'a', serverName: 'a', tap: writer.write });
    rec.record('message', 'out', { jsonrpc: '2.0', id: 1, method: 'ping' }, 1);
    assert.equal(writer.linesWritten, 0, 'queued, not written per message');
    // Nothing else happens: only the 20 ms timer can write the line (the old fixed wait was 60 ms).
    await waitFor(() => writer.linesWritten === 1, 'the 20 ms timer to flush', 60);
    assert.equal(writer.linesWritten, 1, 'timer flushed');
    // ~70 KiB in one go → at least one size-triggered flush before any timer.
    for (let i = 0; i < 70; i++)
      rec.record(
        'message',
        'in',
        { jsonrpc: '2.0', method: 'notifications/message', params: { data: 'z'.repeat(1000) } },
        2 + i,
      );
    assert.ok(writer.linesWritten > 1, 'size threshold flushed synchronously');
    writer.close();
    assert.equal(writer.linesWritten, 71);
    rec.dispose();
  });

  it('survives a crash: everything up to the last flush is readable, the queued tail is lost', async function () {
    this.timeout(30000);
    const file = path.join(dir, 'crash.jsonl');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'helpers/crashWriter.ts'), file], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const flushed = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /ready (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    assert.equal(flushed, 600);
    const back = await readTraceFile(file);
    assert.equal(back.entries, 600, 'all flushed lines, none of the 5 queued ones');
    assert.equal(back.problems.length, 0);
    assert.equal(back.recorder.statsFor('echo')?.calls, 300);
    // A torn last line (crash in the middle of a write) is reported and skipped.
    fs.appendFileSync(file, '{"seq":606,"ts":1,"dir":"out","kind":"mess');
    const torn = await readTraceFile(file);
    assert.equal(torn.entries, 600);
    assert.equal(torn.problems.length, 1);
    assert.match(torn.problems[0].message, /not JSON/);
    assert.equal(torn.problems[0].line, 602);
  });

  it('lists sessions newest first and rotates the oldest beyond the size limit', async () => {
    const files: string[] = [];
    for (let k = 0; k < 4; k++) {
      const file = path.join(dir, `s${k}.jsonl`);
      const w = new TraceFileWriter(file, makeHeader({ serverId: `id${k}`, serverName: `srv${k}`, writer: 'test' }));
      const rec = new TraceRecorder({ serverId: `id${k}`, serverName: `srv${k}`, tap: w.write });
      fill(rec, 200);
      w.close();
      rec.dispose();
      const t = new Date(Date.now() - (10 - k) * 60_000);
      fs.utimesSync(file, t, t);
      files.push(file);
    }
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    const list = await listSessions(dir);
    assert.deepEqual(
      list.map((s) => s.serverName),
      ['srv3', 'srv2', 'srv1', 'srv0'],
    );
    const one = list[0].bytes;
    // Keep room for ~2 files; s0 is oldest but "in use": it must survive, s1 and s2 go.
    const deleted = await rotateSessions(dir, one * 2 + 10, [files[0]]);
    assert.deepEqual(deleted.map((f) => path.basename(f)).sort(), ['s1.jsonl', 's2.jsonl']);
    assert.deepEqual(
      (await listSessions(dir)).map((s) => s.serverName),
      ['srv3', 'srv0'],
    );
    assert.deepEqual(await listSessions(path.join(dir, 'missing')), []);
  });

  it('exports redacted JSONL that imports back', async () => {
    const rec = new TraceRecorder({ serverId: 'x', serverName: 'x' });
    rec.record(
      'message',
      'out',
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'login', arguments: { apiKey: 'k-123', note: 'use ghp_abcdefghijklmnopqrstuvwxyz0123' } },
      },
      1,
    );
    rec.record(
      'message',
      'in',
      { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'Bearer abcdefgh.ijk' }] } },
      5,
    );
    rec.stderr('token sk-abcdefghijklmnopqrstuvwxyz', 6);
    const out = path.join(dir, 'export.jsonl');
    assert.equal(await exportTrace(out, { recorder: rec }), 3);
    const text = fs.readFileSync(out, 'utf8');
    for (const secret of ['k-123', 'ghp_abc', 'abcdefgh.ijk', 'sk-abc']) assert.ok(!text.includes(secret), secret);
    const back = await readTraceFile(out);
    assert.equal(back.header?.redacted, true);
    assert.equal(back.entries, 3);
    assert.equal(back.recorder.get(1)!.tool, 'login');
    assert.equal(back.recorder.get(1)!.latencyMs, 4);
    rec.dispose();
  });

  it('reads bad files without throwing', async () => {
    const missing = await readTraceFile(path.join(dir, 'nope.jsonl'));
    assert.equal(missing.entries, 0);
    assert.match(missing.problems[0].message, /cannot read/);
    const f = path.join(dir, 'junk.jsonl');
    fs.writeFileSync(
      f,
      'hello\n[1,2]\n{"jsonrpc":"2.0","id":1,"method":"ping"}\n{"jsonrpc":"2.0","id":1,"result":{}}\n',
    );
    const junk = await readTraceFile(f);
    assert.equal(junk.entries, 2, 'bare JSON-RPC lines are accepted');
    assert.equal(junk.problems.length, 2);
    assert.equal(junk.recorder.get(1)!.pair, 2);
  });

  it('tails a file another process appends to, across partial lines', async () => {
    const f = path.join(dir, 'tail.jsonl');
    fs.writeFileSync(f, '');
    const seen: number[] = [];
    const tail = new TraceFileTail(f, (r) => r.line && seen.push(r.line.seq), 10_000);
    fs.appendFileSync(
      f,
      `${JSON.stringify(makeHeader({ serverId: 'p', serverName: 'p', writer: 'proxy' }))}\n{"seq":1,"ts":1,"dir":"out","kind":"message","size":2,"msg":{"jsonrpc":"2.0","id":1,"method":"ping"}}\n{"seq":2,"ts":2,"dir":"in","kind":"std`,
    );
    await tail.poll();
    assert.deepEqual(seen, [1]);
    fs.appendFileSync(f, 'err","size":3,"msg":"héllo"}\n');
    await tail.poll();
    assert.deepEqual(seen, [1, 2]);
    tail.dispose();
  });
});

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import * as vscode from 'vscode';
import type { DoctorApi } from '../../src/extension';
import type { DisplayEntry, IpcMessage, TraceSnapshot } from '../../src/shared/protocol';
import { activateDoctor, waitFor } from './helpers';

/** What the trace service exposes to tests (`services.trace.testHooks`). */
interface TraceHooks {
  posted: IpcMessage[];
  panelReady(): boolean;
  sessions(): { sx: number; serverId: string; origin: string; file?: string; live: boolean; entries: number }[];
  flush(): void;
}

/** The rows the webview holds for session `sx`, rebuilt from the protocol messages it received. */
function rowsOf(posted: IpcMessage[], sx: number): DisplayEntry[] {
  const rows = new Map<number, DisplayEntry>();
  for (const m of posted) {
    if (m.method === 'trace/didReset') {
      rows.clear();
      for (const e of (m.params as { snapshot: TraceSnapshot }).snapshot.entries) if (e.sx === sx) rows.set(e.seq, e);
    } else if (m.method === 'trace/didAppend') {
      const p = m.params as { entries: DisplayEntry[]; updated: DisplayEntry[] };
      for (const e of [...p.entries, ...p.updated]) if (e.sx === sx) rows.set(e.seq, e);
    }
  }
  return [...rows.values()].sort((a, b) => a.seq - b.seq);
}

const requests = (rows: DisplayEntry[], method: string) =>
  rows.filter((r) => r.kind === 'message' && r.dir === 'out' && r.label === method);

describe('Trace (MCP Trace webview)', function () {
  this.timeout(120000);
  let api: DoctorApi;
  let hooks: TraceHooks;
  let serverId: string;
  let liveSx: number;
  const manager = () =>
    api.services.sessions as unknown as { setAutoConsentForTests(on: boolean): void; stopAll?(): Promise<void> };

  before(async () => {
    api = await activateDoctor();
    manager().setAutoConsentForTests(true);
    hooks = (api.services.trace as unknown as { testHooks: TraceHooks }).testHooks;
    assert.ok(hooks, 'services.trace exposes testHooks');
    const server = await waitFor(
      () => api.services.config.servers.find((s) => s.name === 'everything' && s.client === 'vscode'),
      'the everything server in .vscode/mcp.json',
    );
    serverId = server.id;
  });

  after(async () => {
    await vscode.commands.executeCommand('mcpDoctor.stopServer', { serverId }).then(undefined, () => undefined);
    manager()?.setAutoConsentForTests(false);
  });

  it('shows a live session: initialize, tools/list and tools/call paired with latency', async () => {
    const view = await vscode.commands.executeCommand<{ state: { kind: string } }>('mcpDoctor.startServer', {
      serverId,
    });
    assert.equal(view?.state.kind, 'running', JSON.stringify(view?.state));
    await vscode.commands.executeCommand('mcpDoctor.openTrace', { serverId });
    await waitFor(() => hooks.panelReady(), 'the webview to send ready', 30000);
    for (const message of ['hi', 'hi']) {
      const outcome = await vscode.commands.executeCommand<{ ok: boolean }>('mcpDoctor.callTool', {
        serverId,
        toolName: 'echo',
        args: { message },
      });
      assert.equal(outcome?.ok, true);
    }
    const live = hooks
      .sessions()
      .filter((s) => s.serverId === serverId && s.live)
      .pop();
    assert.ok(live, `a live recorder for ${serverId} in ${JSON.stringify(hooks.sessions())}`);
    liveSx = live.sx;
    const rows = await waitFor(() => {
      const r = rowsOf(hooks.posted, liveSx);
      const calls = requests(r, 'tools/call').filter((c) => c.latencyMs !== undefined);
      return calls.length >= 2 ? r : undefined;
    }, 'two paired tools/call rows in the webview');

    const [init] = requests(rows, 'initialize');
    assert.ok(init, 'initialize row');
    assert.equal(init.status, 'ok');
    assert.ok(init.pair && init.latencyMs! > 0, 'initialize paired with its response');
    const [list] = requests(rows, 'tools/list');
    assert.ok(list?.pair && list.latencyMs! >= 0, 'tools/list paired');
    const calls = requests(rows, 'tools/call');
    assert.equal(calls.length, 2);
    for (const c of calls) {
      assert.equal(c.tool, 'echo');
      assert.equal(c.status, 'ok');
      assert.ok(c.latencyMs! > 0);
      const resp = rows.find((r) => r.seq === c.pair);
      assert.ok(resp, 'the response row is there too');
      assert.equal(resp.label, 'result');
      assert.equal(resp.tool, 'echo');
      assert.equal(resp.preview, 'Echo: hi');
    }
    // The host sends per-tool statistics on their own (throttled) timer, so wait for them.
    const statsOf = (m: IpcMessage) =>
      m.method === 'trace/didReset'
        ? (m.params as { snapshot: TraceSnapshot }).snapshot.stats
        : (m.params as { stats: TraceSnapshot['stats'] }).stats;
    await waitFor(() => {
      const last = hooks.posted
        .filter((m) => m.method === 'trace/didChangeStats' || m.method === 'trace/didReset')
        .pop();
      return last && statsOf(last).some((s) => s.sx === liveSx && s.tool === 'echo' && s.calls >= 2);
    }, 'echo statistics (two calls) in the webview');

    // Opening the trace for a tool (code lens, failed call) filters to it and selects its last call.
    await vscode.commands.executeCommand('mcpDoctor.openTrace', { serverId, tool: 'echo' });
    const filterMsg = hooks.posted.filter((m) => m.method === 'trace/didSetFilter').pop();
    assert.deepEqual((filterMsg?.params as { filter: unknown }).filter, { serverId, tool: 'echo' });
    const select = hooks.posted.filter((m) => m.method === 'trace/didSelect').pop();
    assert.deepEqual(select?.params, { sx: liveSx, seq: calls[1].seq });
  });

  it('replays a recorded call against the running server and diffs the results', async () => {
    const rows = rowsOf(hooks.posted, liveSx);
    const call = requests(rows, 'tools/call')[0];
    const service = api.services.trace as unknown as {
      replay(sx: number, seq: number): Promise<{ ok: boolean; diff: { op: string }[]; error?: string; new: string }>;
    };
    const r = await service.replay(liveSx, call.seq);
    assert.equal(r.error, undefined);
    assert.equal(r.ok, true);
    assert.match(r.new, /Echo: hi/);
    assert.ok(r.diff.length > 0 && r.diff.every((l) => l.op === '='), 'echo gives the same result again');
  });

  it('reopens the stored session with the same content, and exports it redacted', async () => {
    hooks.flush();
    const live = hooks.sessions().find((s) => s.sx === liveSx);
    assert.ok(live?.file && fs.existsSync(live.file), `persisted file ${live?.file}`);
    const before = rowsOf(hooks.posted, liveSx);
    const opened = await vscode.commands.executeCommand<{ sx: number; entries: number }>('mcpDoctor.openSession', {
      file: live.file,
    });
    assert.ok(opened && opened.entries > 0);
    const stored = await waitFor(() => {
      const r = rowsOf(hooks.posted, opened.sx);
      return r.length === opened.entries ? r : undefined;
    }, 'the stored session rows in the webview');
    const storedCalls = requests(stored, 'tools/call');
    assert.ok(storedCalls.length >= 3, `two calls plus the replay, got ${storedCalls.length}`);
    for (const s of stored) {
      const l = before.find((b) => b.seq === s.seq) ?? rowsOf(hooks.posted, liveSx).find((b) => b.seq === s.seq);
      if (!l) continue; // recorded after the snapshot of `before`
      assert.deepEqual(
        {
          label: s.label,
          method: s.method,
          tool: s.tool,
          status: s.status,
          pair: s.pair,
          latencyMs: s.latencyMs,
          dir: s.dir,
          kind: s.kind,
          preview: s.preview,
        },
        {
          label: l.label,
          method: l.method,
          tool: l.tool,
          status: l.status,
          pair: l.pair,
          latencyMs: l.latencyMs,
          dir: l.dir,
          kind: l.kind,
          preview: l.preview,
        },
        `row ${s.seq}`,
      );
    }
    assert.ok((requests(stored, 'initialize')[0]?.latencyMs ?? 0) > 0);

    const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpdoc-export-')), 'out.jsonl');
    const exported = await vscode.commands.executeCommand<{ entries: number }>('mcpDoctor.exportTrace', {
      sx: opened.sx,
      target,
    });
    assert.ok(exported && exported.entries >= opened.entries);
    const lines = fs.readFileSync(target, 'utf8').trim().split('\n');
    const header = JSON.parse(lines[0]);
    assert.equal(header.redacted, true);
    assert.equal(header.serverName, 'everything');
  });

  it('routes a config entry through the proxy, shows the client traffic live, and restores the entry', async () => {
    const configFile = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'mcp.json');
    const original = fs.readFileSync(configFile, 'utf8');
    const routed = await vscode.commands.executeCommand<{ traceFile: string }>('mcpDoctor.routeThroughProxy', {
      serverId,
    });
    assert.ok(routed?.traceFile, 'the command returns the trace file');
    try {
      const text = fs.readFileSync(configFile, 'utf8');
      assert.ok(text.includes('"proxy"') && text.includes(routed.traceFile), 'the entry now starts the proxy');
      assert.ok(text.includes('// Servers used by the integration tests'), 'comments are preserved');
      // Play the external client (Claude Desktop, Cursor...): run the proxied command and talk JSON-RPC.
      const repo = process.env.MCP_DOCTOR_REPO_ROOT ?? path.resolve(__dirname, '../../..');
      const se = path.join(repo, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
      const child = spawn('node', [
        path.join(repo, 'dist/cli.js'),
        'proxy',
        '--trace',
        routed.traceFile,
        '--name',
        'everything',
        '--',
        'node',
        se,
        'stdio',
      ]);
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const send = (m: unknown) => child.stdin.write(`${JSON.stringify(m)}\n`);
      send({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'external-client', version: '1' },
        },
      });
      await waitFor(() => out.includes('"id":1'), 'the initialize answer through the proxy');
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      send({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'echo', arguments: { message: 'from outside' } },
      });
      await waitFor(() => out.includes('Echo: from outside'), 'the echo answer through the proxy');
      const proxied = await waitFor(
        () => hooks.sessions().find((s) => s.origin === 'proxy' && s.file === routed.traceFile),
        'a proxy session in the trace view',
      );
      const rows = await waitFor(() => {
        const r = rowsOf(hooks.posted, proxied.sx);
        return requests(r, 'tools/call').some((c) => c.latencyMs !== undefined) ? r : undefined;
      }, 'the proxied tools/call, paired, in the webview');
      const [call] = requests(rows, 'tools/call');
      assert.equal(call.tool, 'echo');
      assert.equal(call.status, 'ok');
      assert.equal(rows.find((r) => r.seq === call.pair)?.preview, 'Echo: from outside');
      child.stdin.end();
      await new Promise((r) => child.once('close', r));
    } finally {
      await vscode.commands.executeCommand('mcpDoctor.restoreFromProxy', { serverId });
    }
    assert.equal(fs.readFileSync(configFile, 'utf8'), original, 'the entry is restored byte for byte');
  });
});

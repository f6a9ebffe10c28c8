import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import * as vscode from 'vscode';
import type { DoctorTestApi } from '../../src/testApi';
import type { DisplayEntry, IpcMessage, TraceSnapshot } from '../../src/shared/protocol';
import { webview, type DrawnRow } from './browser';
import { activateDoctor, traceSessions, tracePanelReady, waitFor } from './helpers';

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
  let api: DoctorTestApi;
  let serverId: string;
  let liveSx: number;

  before(async () => {
    api = await activateDoctor();
    api.setAutoApprove(true);
    const server = await waitFor(
      () => api.config.servers.find((s) => s.name === 'everything' && s.client === 'vscode'),
      'the everything server in .vscode/mcp.json',
    );
    serverId = server.id;
  });

  after(async () => {
    await vscode.commands.executeCommand('mcpDoctor.stopServer', { serverId }).then(undefined, () => undefined);
    api.setAutoApprove(false);
  });

  it('shows a live session: initialize, tools/list and tools/call paired with latency', async () => {
    const view = await vscode.commands.executeCommand<{ state: { kind: string } }>('mcpDoctor.startServer', {
      serverId,
    });
    assert.equal(view?.state.kind, 'running', JSON.stringify(view?.state));
    await vscode.commands.executeCommand('mcpDoctor.openTrace', { serverId });
    await waitFor(() => tracePanelReady(api), 'the webview to send ready', 30000);
    for (const message of ['hi', 'hi']) {
      const outcome = await vscode.commands.executeCommand<{ ok: boolean }>('mcpDoctor.callTool', {
        serverId,
        toolName: 'echo',
        args: { message },
      });
      assert.equal(outcome?.ok, true);
    }
    const live = traceSessions(api)
      .filter((s) => s.serverId === serverId && s.live)
      .pop();
    assert.ok(live, `a live recorder for ${serverId} in ${JSON.stringify(traceSessions(api))}`);
    liveSx = live.sx;
    const rows = await waitFor(() => {
      const r = rowsOf(api.webview.posted, liveSx);
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
      const last = api.webview.posted
        .filter((m) => m.method === 'trace/didChangeStats' || m.method === 'trace/didReset')
        .pop();
      return last && statsOf(last).some((s) => s.sx === liveSx && s.tool === 'echo' && s.calls >= 2);
    }, 'echo statistics (two calls) in the webview');

    // Opening the trace for a tool (code lens, failed call) filters to it and selects its last call.
    await vscode.commands.executeCommand('mcpDoctor.openTrace', { serverId, tool: 'echo' });
    const filterMsg = api.webview.posted.filter((m) => m.method === 'trace/didSetFilter').pop();
    assert.deepEqual((filterMsg?.params as { filter: unknown }).filter, { serverId, tool: 'echo' });
    const select = api.webview.posted.filter((m) => m.method === 'trace/didSelect').pop();
    assert.deepEqual(select?.params, { sx: liveSx, seq: calls[1].seq });
  });

  it('draws only the rows each filter and search lets through', async () => {
    // Room for the list: the trace alone in the editor area, no panel below it.
    await vscode.commands.executeCommand('mcpDoctor.openTrace', { serverId });
    await vscode.commands.executeCommand('workbench.action.closeEditorsInOtherGroups');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    const view = await webview('.trace .toolbar');
    // The session's rows as the webview received them (the server may keep talking meanwhile).
    const rows = () => rowsOf(api.webview.posted, liveSx);
    const capacity = await view.eval((_: null, doc) =>
      Math.floor((doc.querySelector('.list')?.clientHeight ?? 0) / 22),
    );
    assert.ok(capacity >= 10, `the list has room for at least 10 rows (${capacity})`);
    /**
     * Waits for the list to settle on `expected()` rows drawn, then checks every drawn row and
     * the count the toolbar shows. When more rows match than fit, the list's height is drawn
     * (a part row at either edge counts as drawn).
     */
    const expectShown = async (what: string, expected: () => number, each: (row: DrawnRow) => boolean) => {
      let last: DrawnRow[] = [];
      let want = 0;
      const ok = () =>
        want < capacity ? last.length === want : last.length >= capacity && last.length <= capacity + 2;
      await waitFor(
        async () => {
          want = expected();
          last = await view.visibleRows('.rows .row', '.list');
          return ok();
        },
        what,
        5000,
      ).catch(() => undefined);
      const cells = last.map((r) => r.cells.join(' | '));
      assert.ok(ok(), `${what}: ${last.length} rows drawn, ${want} expected: ${JSON.stringify(cells, null, 1)}`);
      for (const r of last) assert.ok(each(r), `${what}: a drawn row does not match: ${r.cells.join(' | ')}`);
      assert.match(await view.text('.count'), new RegExp(`^${want} (of|messages)`), `${what}: the toolbar count`);
      return last;
    };
    const tool = (r: DrawnRow) => r.cells[3];

    await view.select('select[aria-label="Tool"]', '');
    await view.select('select[aria-label="Method"]', '');
    await view.select('select[aria-label="Server / session"]', `sx:${liveSx}`);
    await view.fill('input.search', '');
    const all = await expectShown(
      'this session, no other filter',
      () => rows().length,
      () => true,
    );
    assert.ok(all.length > 4, `the session has more than the echo rows (${all.length})`);

    await view.select('select[aria-label="Tool"]', 'echo');
    const echo = () => rows().filter((r) => r.tool === 'echo').length;
    assert.equal(echo(), 4, 'two echo calls: two requests, two results');
    await expectShown('tool echo', echo, (r) => tool(r) === 'echo');

    await view.select('select[aria-label="Tool"]', '');
    await view.select('select[aria-label="Method"]', 'tools/list');
    await expectShown(
      'method tools/list',
      () => rows().filter((r) => r.method === 'tools/list').length,
      (r) => r.cells[2] === 'tools/list' || r.cells[2] === 'result',
    );

    await view.select('select[aria-label="Method"]', '');
    await view.click('label.check:has-text("Errors only") input');
    await expectShown(
      'errors only',
      () =>
        rows().filter(
          (r) =>
            ['error', 'tool-error', 'cancelled'].includes(r.status) || r.kind === 'stderr' || r.kind === 'stdout-noise',
        ).length,
      (r) => /\b(s-error|s-tool-error|s-cancelled|k-stderr|k-stdout-noise)\b/.test(r.className),
    );
    await view.click('label.check:has-text("Errors only") input');

    await view.fill('input.search', 'Echo: hi');
    await expectShown(
      'search "Echo: hi"',
      () => 2,
      (r) => r.cells[7] === 'Echo: hi',
    );
    // A click selects the row it is drawn on, whatever the filter did to the list meanwhile.
    await view.click('.rows .row:not([hidden]) >> nth=1');
    await waitFor(
      async () =>
        (await view.text('.detail-title')).includes('echo') &&
        (await view.visibleRows('.rows .row.selected', '.list')).some((r) => r.cells[7] === 'Echo: hi'),
      'the clicked search hit selected and in the detail pane',
    );
    await view.fill('input.search', 'no row says this');
    await expectShown(
      'search with no match',
      () => 0,
      () => false,
    );
    await view.fill('input.search', '');
    await expectShown(
      'search cleared',
      () => rows().length,
      () => true,
    );
  });

  it('draws the timeline: one bar per request, overlapping calls on separate lanes, notifications as ticks', async () => {
    const view = await webview('.trace .toolbar');
    await view.select('select[aria-label="Server / session"]', `sx:${liveSx}`);
    await view.click('button[aria-label^="Timeline"]');
    const rows = rowsOf(api.webview.posted, liveSx);
    const requestRows = rows.filter((r) => r.kind === 'message' && r.label === r.method && r.status !== 'none');
    const noteRows = rows.filter((r) => r.kind === 'message' && r.label === r.method && r.status === 'none');
    assert.ok(
      requestRows.length >= 6 && noteRows.length >= 1,
      `${requestRows.length} requests, ${noteRows.length} notes`,
    );
    const drawn = await waitFor(async () => {
      const d = await view.eval((_: null, doc) => ({
        list: doc.querySelector('.list-pane')?.checkVisibility() ?? false,
        bars: Array.from(doc.querySelectorAll('.tl-call'), (b) => {
          const r = b.getBoundingClientRect();
          return { text: b.textContent ?? '', left: r.left, right: r.right, top: r.top, width: r.width };
        }),
        ticks: doc.querySelectorAll('.tl-tick').length,
        groups: Array.from(doc.querySelectorAll('.tl-title'), (t) => t.textContent),
      }));
      return d.bars.length === requestRows.length ? d : undefined;
    }, `${requestRows.length} bars in the timeline`);
    assert.equal(drawn.list, false, 'the list gives way to the timeline');
    assert.deepEqual(drawn.groups, ['everything']);
    assert.equal(drawn.ticks, noteRows.length);
    assert.ok(
      drawn.bars.every((b) => b.width >= 4),
      `every bar is drawn at least 4 px wide: ${drawn.bars.map((b) => b.width).join(', ')}`,
    );
    for (const r of requestRows)
      assert.ok(
        drawn.bars.some((b) => b.text.startsWith(r.tool ? `${r.method} ${r.tool}` : r.method!)),
        `a bar for ${r.method}`,
      );
    // Calls that overlap in time are drawn on different lanes (never on top of each other).
    for (const a of drawn.bars)
      for (const b of drawn.bars)
        if (a !== b && a.top === b.top)
          assert.ok(
            a.right <= b.left + 1 || b.right <= a.left + 1,
            `${a.text} and ${b.text} overlap on one lane: ${JSON.stringify(drawn.bars)}`,
          );
    const overlapping = requestRows.some((a) =>
      requestRows.some((b) => a !== b && a.ts < b.ts + (b.latencyMs ?? 0) && b.ts < a.ts + (a.latencyMs ?? 0)),
    );
    if (overlapping) assert.ok(new Set(drawn.bars.map((b) => b.top)).size >= 2, 'overlapping calls use two lanes');
    // A bar selects its request: the detail pane shows it.
    await view.click('.tl-call:has-text("tools/call echo") >> nth=0');
    await waitFor(
      async () => (await view.text('.detail-title')).includes('tools/call · tool echo'),
      'the echo call in the detail pane',
    );
    await view.click('button[aria-label^="Timeline"]');
    await waitFor(
      () => view.eval((_: null, doc) => doc.querySelector('.list-pane')?.checkVisibility() ?? false),
      'the list back',
    );
  });

  it('replays a recorded call against the running server and diffs the results', async () => {
    const rows = rowsOf(api.webview.posted, liveSx);
    const call = requests(rows, 'tools/call')[0];
    const r = await api.trace.replay(liveSx, call.seq);
    assert.equal(r.error, undefined);
    assert.equal(r.ok, true);
    assert.match(r.new, /Echo: hi/);
    assert.ok(r.diff.length > 0 && r.diff.every((l) => l.op === '='), 'echo gives the same result again');
  });

  it('reopens the stored session with the same content, and exports it redacted', async () => {
    api.trace.flush();
    const live = traceSessions(api).find((s) => s.sx === liveSx);
    assert.ok(live?.file && fs.existsSync(live.file), `persisted file ${live?.file}`);
    // Appends reach the webview in batches: wait until it shows the replayed call paired too.
    const before = await waitFor(() => {
      const r = rowsOf(api.webview.posted, liveSx);
      const calls = requests(r, 'tools/call');
      return calls.length >= 3 && calls.every((c) => c.pair !== undefined) ? r : undefined;
    }, 'the two calls and the replay, paired, in the webview');
    const opened = await vscode.commands.executeCommand<{ sx: number; entries: number }>('mcpDoctor.openSession', {
      file: live.file,
    });
    assert.ok(opened && opened.entries > 0);
    const stored = await waitFor(() => {
      const r = rowsOf(api.webview.posted, opened.sx);
      return r.length === opened.entries ? r : undefined;
    }, 'the stored session rows in the webview');
    const storedCalls = requests(stored, 'tools/call');
    assert.ok(storedCalls.length >= 3, `two calls plus the replay, got ${storedCalls.length}`);
    for (const s of stored) {
      const l = before.find((b) => b.seq === s.seq) ?? rowsOf(api.webview.posted, liveSx).find((b) => b.seq === s.seq);
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
        () => traceSessions(api).find((s) => s.origin === 'proxy' && s.file === routed.traceFile),
        'a proxy session in the trace view',
      );
      const rows = await waitFor(() => {
        const r = rowsOf(api.webview.posted, proxied.sx);
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

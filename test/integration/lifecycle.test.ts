import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerConfig } from '../../src/core/config/types';
import type { SessionView } from '../../src/core/session/types';
import type { DoctorTestApi } from '../../src/testApi';
import { activateDoctor, demoServer, waitFor, workspaceRoot } from './helpers';

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Adds figures to the JSON file the benchmarks read (MCP_DOCTOR_BENCH_OUT), if one is set. */
function benchOut(figures: Record<string, unknown>): void {
  const out = process.env.MCP_DOCTOR_BENCH_OUT;
  if (!out) return;
  const before = fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>) : {};
  fs.writeFileSync(out, JSON.stringify({ ...before, ...figures }));
}

describe('Stop and restart', function () {
  this.timeout(90000);
  let api: DoctorTestApi;

  before(async () => {
    api = await activateDoctor();
    api.setAutoApprove(true);
  });

  after(async () => {
    await api.sessions.stopAll();
    api.setAutoApprove(false);
  });

  it('restarts a running server that exits on stdin close: running again, new process, old one gone (timed)', async () => {
    // server-everything (official SDK) exits as soon as its stdin closes (and nothing it asked is pending).
    const server = await demoServer(api, 'everything');
    let view = (await vscode.commands.executeCommand<SessionView>('mcpDoctor.startServer', server.id))!;
    assert.equal(view.state.kind, 'running', JSON.stringify(view.state));
    const rounds = Number(process.env.MCP_DOCTOR_RESTART_ROUNDS || 3);
    const total: number[] = [];
    const stopPart: number[] = [];
    // server-everything asks roots/list 350 ms after `initialized` (MCP Doctor declares roots), and a
    // request it sends after its stdin closed keeps it alive until killed: stop once it was answered.
    const rootsAnswered = () =>
      waitFor(() => {
        const live = api.trace.hub.all().filter((s) => s.serverId === server.id && s.live);
        const current = live[live.length - 1];
        return current && [...current.recorder.entries()].some((e) => e.method === 'roots/list' && e.dir === 'out');
      }, 'the roots/list of server-everything answered');
    for (let i = 0; i < rounds; i++) {
      await rootsAnswered();
      const oldPid = view.pid!;
      let stoppedAt: number | undefined;
      const t0 = performance.now();
      const listener = api.sessions.onDidChange((id) => {
        if (id === server.id && stoppedAt === undefined && api.sessions.get(id)?.state.kind === 'stopped')
          stoppedAt = performance.now();
      });
      try {
        view = (await vscode.commands.executeCommand<SessionView>('mcpDoctor.restartServer', server.id))!;
      } finally {
        listener.dispose();
      }
      total.push(performance.now() - t0);
      stopPart.push((stoppedAt ?? Number.NaN) - t0);
      assert.equal(view.state.kind, 'running', `round ${i + 1}: ${JSON.stringify(view.state)}`);
      assert.ok(view.pid && view.pid !== oldPid, `round ${i + 1}: a new process (old ${oldPid}, new ${view.pid})`);
      assert.ok(isGone(oldPid), `round ${i + 1}: the old process ${oldPid} is gone when restart resolves`);
      assert.ok(
        view.tools.some((t) => t.name === 'echo'),
        `round ${i + 1}: tools listed again`,
      );
      assert.ok(Number.isFinite(stopPart[i]), `round ${i + 1}: the stopped state was seen between the two runs`);
    }
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
    console.log(
      `restart of server-everything: median ${median(total).toFixed(0)} ms (rounds: ${fmt(total)}); ` +
        `of which stopping: median ${median(stopPart).toFixed(0)} ms (${fmt(stopPart)})`,
    );
    benchOut({ restartMs: total, restartStopMs: stopPart });
    // The server exits as soon as its stdin closes, so no stop may run into the grace period
    // (a stop that waits on a timer, e.g. the grace or a race against close(), shows up here).
    const grace = vscode.workspace.getConfiguration('mcpDoctor').get<number>('launch.stopGraceMs', 2000);
    for (const [i, ms] of stopPart.entries())
      assert.ok(ms < grace, `round ${i + 1}: stopping took ${ms.toFixed(0)} ms, not less than the ${grace} ms grace`);
  });

  describe('several servers at once', () => {
    const GRACE_MS = 1000;
    let dir: string;
    let configFile: string;

    /** The server of that name from the test's lingering/.vscode/mcp.json. */
    async function lingering(name: string): Promise<ServerConfig> {
      return waitFor(async () => {
        const hit = api.config.servers.find((s) => s.name === name && s.file === configFile);
        if (!hit) await api.config.refresh();
        return hit;
      }, `server "${name}" in ${configFile}`);
    }

    before(async () => {
      const servers = path.resolve(workspaceRoot(), '..', '..', 'servers');
      dir = path.join(workspaceRoot(), 'lingering');
      configFile = path.join(dir, '.vscode', 'mcp.json');
      fs.mkdirSync(path.dirname(configFile), { recursive: true });
      const poller = { type: 'stdio', command: 'node', args: [path.join(servers, 'lingering-poller.mjs')] };
      fs.writeFileSync(configFile, JSON.stringify({ servers: { 'poller-a': poller, 'poller-b': poller } }, null, 2));
      await vscode.workspace
        .getConfiguration('mcpDoctor')
        .update('launch.stopGraceMs', GRACE_MS, vscode.ConfigurationTarget.Workspace);
    });

    after(async () => {
      await vscode.workspace
        .getConfiguration('mcpDoctor')
        .update('launch.stopGraceMs', undefined, vscode.ConfigurationTarget.Workspace);
      fs.rmSync(dir, { recursive: true, force: true });
      await api.config.refresh();
    });

    it('stops servers that outlive their stdin in parallel (one grace period, not one per server)', async () => {
      const [a, b] = await Promise.all([lingering('poller-a'), lingering('poller-b')]);
      const views = await Promise.all(
        [a, b].map((s) => vscode.commands.executeCommand<SessionView>('mcpDoctor.startServer', s.id)),
      );
      for (const v of views) assert.equal(v?.state.kind, 'running', JSON.stringify(v?.state));
      const pids = views.map((v) => v!.pid!);
      const t0 = performance.now();
      await api.sessions.stopAll(); // what deactivate() runs
      const ms = performance.now() - t0;
      for (const s of [a, b]) assert.equal(api.sessions.get(s.id)?.state.kind, 'stopped');
      for (const pid of pids) assert.ok(isGone(pid), `process ${pid} is gone when stopAll resolves`);
      console.log(`stopAll of two servers that ignore stdin close (grace ${GRACE_MS} ms): ${ms.toFixed(0)} ms`);
      // Each server needs the whole grace before its SIGTERM, so one stop takes at least that long;
      // stopping one after the other would take twice as long.
      assert.ok(ms >= GRACE_MS * 0.9, `the servers outlived their stdin (${ms.toFixed(0)} ms)`);
      assert.ok(ms < GRACE_MS * 1.9, `both stopped within one grace period, in parallel (${ms.toFixed(0)} ms)`);
    });
  });
});

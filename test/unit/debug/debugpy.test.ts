import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServerConfig } from '../../../src/core/config/types';
import { DebuggeeState, framesOf, pausedTool } from '../../../src/core/debug/dap';
import { handlerSpans, toolEntry } from '../../../src/core/debug/handlers';
import { planDebugLaunch } from '../../../src/core/debug/launchPlan';
import { freePort, planHostFor } from '../../../src/core/debug/machine';
import { DebugRelay } from '../../../src/core/debug/relay';
import { emptyContext } from '../../../src/core/rules/project';
import { createPythonAnalyzer } from '../../../src/core/rules/python';
import { TimeoutPause } from '../../../src/core/session/timeoutPause';
import { waitFor } from '../../waitFor';
import { FIXTURES, MemorySink, serverConfig, SessionPool } from '../session/helpers';
import { DapClient } from './dapClient';

const REPO = path.resolve(__dirname, '../../..');
const VENV_PY = path.join(REPO, '.venv', 'bin', 'python');
const DEMO_DEBUG = path.resolve(__dirname, '../../fixtures/workspaces/demo/debug');
const CALC = path.join(DEMO_DEBUG, 'calc_server.py');

/** Plans the server's debug launch on a free port with the real machine (the project .venv). */
async function debugLaunch(file: string, cwd: string, over: Partial<ServerConfig> = {}) {
  const server = serverConfig(path.basename(file, '.py'), {
    command: VENV_PY,
    args: [file],
    cwd,
    env: { PYTHONDONTWRITEBYTECODE: '1' },
    ...over,
  });
  const port = await freePort();
  const r = planDebugLaunch(server, port, planHostFor(server, cwd));
  if (!r.ok) throw new Error(r.reason);
  return r.plan;
}

/**
 * The whole debug loop in plain Node, with the real debugpy and a real FastMCP 4 server: what
 * VS Code does is played by a small DAP client, what the debug area does (hold the clocks while
 * attaching and while stopped) by the test, as `src/vscode/debug` does it from a tracker.
 */
describe('debugging a real FastMCP server under debugpy (plain Node)', function () {
  this.timeout(60000);
  const pool = new SessionPool();
  const clients: DapClient[] = [];
  const relays: DebugRelay[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const r of relays.splice(0)) r.dispose();
    await pool.cleanup();
  });

  /** The relay VS Code connects through (debugpy's port is never probed: it takes one client). */
  async function relayTo(port: number): Promise<number> {
    const relay = await DebugRelay.start(port, { connectTimeoutMs: 30000 });
    relays.push(relay);
    return relay.port;
  }

  it('stops at the first line of the tool with its arguments; paused longer than the call timeout, the call still succeeds', async () => {
    const plan = await debugLaunch(CALC, DEMO_DEBUG);
    const pause = new TimeoutPause();
    pause.hold('attaching');
    const sink = new MemorySink();
    const session = pool.create({
      server: plan.server,
      pause,
      trace: sink,
      requestTimeoutMs: 2500,
      startupTimeoutMs: 60000,
      workspaceFolder: DEMO_DEBUG,
    });
    const relayPort = await relayTo(plan.port);
    const started = session.start();

    const definitions = (
      await createPythonAnalyzer().analyze(CALC, fs.readFileSync(CALC, 'utf8'), emptyContext(DEMO_DEBUG))
    ).definitions;
    const entry = toolEntry(definitions, 'add')!;
    const dap = await DapClient.connect(relayPort);
    clients.push(dap);
    const verified = await dap.attach([{ path: CALC, line: entry.line + 1 }]);
    assert.deepEqual(verified, [entry.line + 1]);
    pause.release('attaching');
    await started;
    assert.equal(session.view().state.kind, 'running', JSON.stringify(session.view().state));

    const state = new DebuggeeState();
    let fed = 0;
    const feed = () => {
      for (const [dir, msg] of dap.log.slice(fed)) {
        if (dir === 'out') state.fromClient(msg);
        else if (state.fromAdapter(msg)) {
          if (state.paused) pause.hold('stopped');
          else pause.release('stopped');
        }
      }
      fed = dap.log.length;
    };

    const from = dap.events.length;
    const call = session.callTool('add', { a: 19, b: 23 });
    const stopped = await dap.event('stopped', from);
    feed();
    assert.equal(state.paused, true);
    assert.equal(pause.paused, true);

    const threadId = (stopped.body as { threadId: number }).threadId;
    const trace = await dap.request('stackTrace', { threadId, levels: 20 });
    const frames = framesOf(trace.body);
    assert.deepEqual([frames[0].path, frames[0].line], [CALC, entry.line + 1], 'stopped at the first line of add');
    assert.equal(pausedTool(frames, handlerSpans(definitions))?.tool, 'add');
    const scopes = await dap.request<{ scopes: { name: string; variablesReference: number }[] }>('scopes', {
      frameId: (trace.body as { stackFrames: { id: number }[] }).stackFrames[0].id,
    });
    const locals = await dap.request<{ variables: { name: string; value: string }[] }>('variables', {
      variablesReference: scopes.body.scopes[0].variablesReference,
    });
    assert.deepEqual(
      locals.body.variables.filter((v) => ['a', 'b'].includes(v.name)).map((v) => [v.name, v.value]),
      [
        ['a', '19'],
        ['b', '23'],
      ],
    );

    // Paused for longer than the call timeout (2.5 s): the clock is held, nothing fires.
    const pausedAt = performance.now();
    await waitFor(() => performance.now() - pausedAt > 3500, 'more than the call timeout to pass', 8000);
    await dap.request('continue', { threadId });
    feed();
    assert.equal(pause.paused, false);
    const outcome = await call;
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    assert.deepEqual((outcome.result as { structuredContent?: unknown }).structuredContent, { result: 42 });
    assert.ok(outcome.durationMs > 3500, `the call's true latency: ${outcome.durationMs} ms`);
    // The trace has the call and its answer, paired by id.
    const request = sink.messages.find((m) => m.dir === 'out' && m.msg.method === 'tools/call');
    const answer = sink.messages.find((m) => m.dir === 'in' && m.msg.id === request?.msg.id);
    assert.ok(request && answer, 'tools/call and its response are in the trace');
    assert.ok(answer.ts - request.ts > 3500);
    // The terminal (lifecycle) shows the debugpy command line.
    assert.ok(sink.events.some((e) => e.startsWith('$ ') && e.includes('-m debugpy --listen 127.0.0.1:')));
  });

  it('an HTTP server MCP Doctor starts: waits for it to listen while the debugger attaches; a paused call outlives its timeout', async () => {
    const httpPort = await freePort();
    const plan = await debugLaunch(CALC, DEMO_DEBUG, {
      args: [CALC, '--http', String(httpPort)],
      url: `http://127.0.0.1:${httpPort}/mcp`,
      transport: 'http',
    });
    const pause = new TimeoutPause();
    pause.hold('attaching');
    const session = pool.create({
      server: plan.server,
      pause,
      requestTimeoutMs: 2500,
      startupTimeoutMs: 60000,
      workspaceFolder: DEMO_DEBUG,
    });
    const relayPort = await relayTo(plan.port);
    const started = session.start();
    const dap = await DapClient.connect(relayPort);
    clients.push(dap);
    await dap.attach([{ path: CALC, line: 10 }]);
    pause.release('attaching');
    await started;
    assert.deepEqual(
      [session.view().state.kind, (session.view().state as { transport?: string }).transport],
      ['running', 'http'],
      JSON.stringify(session.view().state),
    );
    const from = dap.events.length;
    const call = session.callTool('add', { a: 1, b: 2 });
    const stopped = await dap.event('stopped', from);
    pause.hold('stopped');
    const pausedAt = performance.now();
    await waitFor(() => performance.now() - pausedAt > 3500, 'more than the call timeout to pass', 8000);
    pause.release('stopped');
    await dap.request('continue', { threadId: (stopped.body as { threadId: number }).threadId });
    const outcome = await call;
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    assert.deepEqual((outcome.result as { structuredContent?: unknown }).structuredContent, { result: 3 });
  });

  it('a crash under the debugger still gives MCP708 with the traceback mapped to the file and line', async () => {
    const plan = await debugLaunch(path.join(FIXTURES, 'fault-crash-start.py'), FIXTURES);
    const pause = new TimeoutPause();
    pause.hold('attaching');
    const session = pool.create({ server: plan.server, pause, startupTimeoutMs: 60000, workspaceFolder: FIXTURES });
    const relayPort = await relayTo(plan.port);
    const started = session.start();
    // It exits during the era probe and is started again for a 2025 handshake: attach to both
    // starts, as the debug area does when a start's debug session ends while it is starting
    // (disconnect, so debugpy's adapter frees the port; attach again once a new process runs).
    let attachedPid: number | undefined;
    for (let start = 0; start < 2; start++) {
      const pid = await waitFor(() => {
        const p = session.view().pid;
        return p !== attachedPid && p;
      }, 'a new server process');
      attachedPid = pid;
      const dap = await DapClient.connect(relayPort);
      clients.push(dap);
      await dap.attach([]);
      await dap.event('terminated');
      await dap.request('disconnect', {}).catch(() => undefined);
      dap.close();
    }
    pause.release('attaching');
    await started;
    assert.equal(session.view().state.kind, 'error');
    const crash = session.view().findings.find((f) => f.code === 'MCP708');
    assert.ok(crash, JSON.stringify(session.view().findings.map((f) => f.code)));
    assert.match(crash.message, /FileNotFoundError/);
    assert.equal(crash.file, path.join(FIXTURES, 'fault-crash-start.py'));
    assert.equal(crash.range.start.line, 5);
  });
});

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DebuggeeState, framesOf, pausedTool, type DapMessage } from '../../../src/core/debug/dap';
import { handlerSpans, toolEntry } from '../../../src/core/debug/handlers';
import { debugStatusText } from '../../../src/core/debug/status';
import { serversForSource } from '../../../src/core/debug/target';
import { emptyContext } from '../../../src/core/rules/project';
import { createPythonAnalyzer } from '../../../src/core/rules/python';
import { createTypeScriptAnalyzer } from '../../../src/core/rules/typescript/index';
import { serverConfig } from '../session/helpers';

const DEMO = path.resolve(__dirname, '../../fixtures/workspaces/demo');

const event = (name: string, body: Record<string, unknown> = {}): DapMessage => ({ type: 'event', event: name, body });
const request = (seq: number, command: string, args: Record<string, unknown> = {}): DapMessage => ({
  type: 'request',
  seq,
  command,
  arguments: args,
});
const response = (seq: number, command: string, success = true, body?: unknown): DapMessage => ({
  type: 'response',
  request_seq: seq,
  command,
  success,
  body,
});

describe('DAP: what the debuggee is doing', () => {
  it('debugpy: a breakpoint stops all threads; continue (response, then event) lets them run', () => {
    const s = new DebuggeeState();
    assert.equal(s.fromAdapter(event('stopped', { reason: 'breakpoint', threadId: 2, allThreadsStopped: true })), true);
    assert.equal(s.paused, true);
    assert.deepEqual(s.lastStop, { threadId: 2, reason: 'breakpoint', description: undefined });
    s.fromClient(request(10, 'continue', { threadId: 2 }));
    assert.equal(s.fromAdapter(response(10, 'continue', true, { allThreadsContinued: true })), true);
    assert.equal(s.paused, false);
    assert.equal(s.fromAdapter(event('continued', { threadId: 2, allThreadsContinued: true })), false);
    assert.equal(s.lastStop, undefined);
  });

  it('stepping keeps the thread running until the next stop; a failed continue keeps it paused', () => {
    const s = new DebuggeeState();
    s.fromAdapter(event('stopped', { reason: 'breakpoint', threadId: 1 }));
    s.fromClient(request(3, 'next', { threadId: 1 }));
    s.fromAdapter(response(3, 'next'));
    assert.equal(s.paused, false);
    s.fromAdapter(event('stopped', { reason: 'step', threadId: 1 }));
    assert.equal(s.paused, true);
    s.fromClient(request(4, 'continue', { threadId: 1 }));
    s.fromAdapter(response(4, 'continue', false));
    assert.equal(s.paused, true);
  });

  it('two threads stopped one by one: running one leaves the other paused', () => {
    const s = new DebuggeeState();
    s.fromAdapter(event('stopped', { reason: 'breakpoint', threadId: 1 }));
    s.fromAdapter(event('stopped', { reason: 'breakpoint', threadId: 2 }));
    s.fromAdapter(event('continued', { threadId: 1, allThreadsContinued: false }));
    assert.equal(s.paused, true);
    s.fromAdapter(event('thread', { reason: 'exited', threadId: 2 }));
    assert.equal(s.paused, false);
  });

  it('the end of the session (terminated, or the tracker closing) is never paused', () => {
    const s = new DebuggeeState();
    s.fromAdapter(event('stopped', { reason: 'exception', threadId: 1 }));
    s.fromAdapter(event('terminated'));
    assert.equal(s.paused, false);
    assert.equal(s.hasEnded, true);
    const t = new DebuggeeState();
    t.fromAdapter(event('stopped', { reason: 'pause' }));
    assert.equal(t.paused, true, 'a stop without a thread stops everything');
    assert.equal(t.end(), true);
    assert.equal(t.paused, false);
  });

  it('frames from a stackTrace body; the innermost frame inside a handler names the tool', () => {
    const frames = framesOf({
      stackFrames: [
        { id: 1, name: 'helper', line: 30, source: { path: '/w/lib.py' } },
        { id: 2, name: 'add', line: 11, source: { path: '/w/server.py' } },
        { id: 3, name: '<module>', line: 40 },
        { bogus: true },
      ],
    });
    assert.deepEqual(
      frames.map((f) => [f.name, f.path, f.line]),
      [
        ['helper', '/w/lib.py', 30],
        ['add', '/w/server.py', 11],
        ['<module>', undefined, 40],
      ],
    );
    const spans = [
      { tool: 'outer', file: '/w/server.py', startLine: 5, endLine: 20 },
      { tool: 'add', file: '/w/server.py', startLine: 8, endLine: 12 },
    ];
    assert.equal(pausedTool(frames, spans)?.tool, 'add');
    assert.equal(pausedTool(frames.slice(0, 1), spans), undefined);
    assert.deepEqual(framesOf(undefined), []);
  });

  it('status texts for the tree', () => {
    assert.equal(debugStatusText({ kind: 'paused', tool: 'add' }), 'paused in tool add');
    assert.equal(debugStatusText({ kind: 'paused', file: '/w/server.py', line: 3 }), 'paused at server.py:3');
    assert.equal(debugStatusText({ kind: 'paused', reason: 'exception' }), 'paused (exception)');
    assert.equal(debugStatusText({ kind: 'attaching' }), 'debugger attaching…');
    assert.equal(debugStatusText({ kind: 'running' }), 'debugging');
    assert.equal(debugStatusText({ kind: 'ended' }), undefined);
  });
});

describe('tool handlers from the source analysis (where "Debug tool" stops)', function () {
  this.timeout(30000);

  it('FastMCP: the first statement after the docstring, for sync and async tools', async () => {
    const file = path.join(DEMO, 'debug', 'calc_server.py');
    const r = await createPythonAnalyzer().analyze(file, fs.readFileSync(file, 'utf8'), emptyContext(DEMO));
    const add = toolEntry(r.definitions, 'add')!;
    assert.deepEqual([add.line + 1, add.startLine + 1, add.endLine + 1], [10, 8, 11]);
    const divide = toolEntry(r.definitions, 'divide')!;
    assert.equal(divide.line + 1, 17); // `if denominator == 0:`
    assert.equal(toolEntry(r.definitions, 'nope'), undefined);
    assert.deepEqual(
      handlerSpans(r.definitions).map((h) => h.tool),
      ['add', 'divide'],
    );
  });

  it('official TypeScript SDK: the first statement of the registerTool callback', async () => {
    const file = path.join(DEMO, 'debug', 'notes_server.ts');
    const r = await createTypeScriptAnalyzer().analyze(file, fs.readFileSync(file, 'utf8'), emptyContext(DEMO));
    const save = toolEntry(r.definitions, 'save_note')!;
    assert.equal(save.file, file);
    assert.equal(save.line + 1, 16); // const key = title.trim()...
    assert.ok(save.startLine < save.line && save.endLine > save.line);
  });

  it('an arrow function without a block stops on its expression; a one-line docstring-only tool on the docstring', async () => {
    const ts = await createTypeScriptAnalyzer().analyze(
      '/w/s.ts',
      [
        "import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';",
        "const server = new McpServer({ name: 'x', version: '1' });",
        "server.tool('ping', async () =>",
        "  ({ content: [{ type: 'text', text: 'pong' }] }));",
      ].join('\n'),
      emptyContext('/w'),
    );
    assert.equal(toolEntry(ts.definitions, 'ping')!.line + 1, 4);
    const py = await createPythonAnalyzer().analyze(
      '/w/s.py',
      ['from fastmcp import FastMCP', 'mcp = FastMCP("x")', '@mcp.tool', 'def noop():', '    """Nothing."""'].join(
        '\n',
      ),
      emptyContext('/w'),
    );
    assert.equal(toolEntry(py.definitions, 'noop')!.line + 1, 5);
  });
});

describe('which configured server serves a source file', () => {
  const servers = [
    serverConfig('by-path', { command: 'python', args: ['/w/app/server.py'], workspaceFolder: '/w' }),
    serverConfig('by-module', { command: 'uv', args: ['run', 'python', '-m', 'app.server'], workspaceFolder: '/w' }),
    serverConfig('other', { command: 'node', args: ['/w/x.js'], workspaceFolder: '/w' }),
    serverConfig('remote', { url: 'https://x/mcp', workspaceFolder: '/w' }),
    { ...serverConfig('off', { command: 'python', args: ['server.py'] }), disabled: true },
  ];
  it('servers naming the file or its module come first; otherwise those of its folder', () => {
    assert.deepEqual(
      serversForSource(servers, '/w/app/server.py', () => '/w').map((s) => s.name),
      ['by-path', 'by-module'],
    );
    assert.deepEqual(
      serversForSource(servers, '/w/app/tools.py', () => '/w').map((s) => s.name),
      ['by-path', 'by-module', 'other'],
    );
  });
});

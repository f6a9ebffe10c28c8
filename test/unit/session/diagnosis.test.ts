import * as assert from 'node:assert/strict';
import {
  commandNotFound,
  crashFinding,
  diagnoseHandshake,
  diagnoseHttpConnect,
  httpMidSession,
  type HandshakeEvidence,
  type HttpConnectEvidence,
  type Subject,
} from '../../../src/core/session/diagnosis';
import { missingEnvMention } from '../../../src/core/session/runDiagnosis';
import { CallChecks } from '../../../src/core/session/callChecks';
import { parseLastTrace } from '../../../src/core/runtime/stackTraces';

const subject: Subject = {
  name: 'inventory',
  file: '/w/.vscode/mcp.json',
  range: { start: { line: 3, character: 4 }, end: { line: 3, character: 15 } },
  url: 'http://127.0.0.1:8000/mcp',
};
const offer = { requested: '2025-11-25', supported: ['2025-11-25', '2025-06-18'] };
const handshake = (over: Partial<HandshakeEvidence>): HandshakeEvidence => ({
  message: 'Connection closed',
  timedOut: false,
  startupTimeoutMs: 30000,
  offer,
  noiseCount: 0,
  stdoutBytesSeen: false,
  elapsedSeconds: 30,
  stderrTail: [],
  stdoutClosed: false,
  ...over,
});
const exit = (code: number | null, signal: NodeJS.Signals | null = null) => ({ code, signal, ts: 0 });

describe('session diagnosis: evidence → findings (no process, no network)', () => {
  it('names a few folders of a long PATH instead of pasting it (the whole PATH stays in the data)', () => {
    const long =
      '/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin:/Users/dana/.cargo/bin:/Users/dana/go/bin';
    const v = commandNotFound(subject, 'uvx', long);
    const [, f] = v.findings[0];
    assert.match(
      f.message,
      /^Command `uvx` not found on PATH \(searched 8 folders of PATH: \/opt\/homebrew\/bin, \/usr\/local\/bin, \/usr\/bin and 5 more\)\./,
    );
    assert.ok(!f.message.includes('.cargo'), f.message);
    assert.equal(f.data?.path, long);
    assert.match(
      commandNotFound(subject, 'x', 'C:\\tools;C:\\py').findings[0][1].message,
      /searched C:\\tools, C:\\py\)/,
    );
    assert.match(commandNotFound(subject, 'x', '').findings[0][1].message, /\(PATH is empty\)/);
  });

  const handshakeCases: [string, Partial<HandshakeEvidence>, string[], RegExp, RegExp][] = [
    [
      'an error instead of a version',
      { init: { error: { code: -32602, message: 'Unsupported protocol version' } } },
      ['MCP709'],
      /rejected `initialize` with protocol version "2025-11-25": .*Unsupported protocol version/,
      /not negotiated/,
    ],
    [
      'a version the client does not know',
      { init: { protocolVersion: '2099-01-01' }, message: "Server's protocol version is not supported: 2099-01-01" },
      ['MCP709'],
      /answered `initialize` with protocol version "2099-01-01"/,
      /protocol version not negotiated/,
    ],
    [
      'a wrong version, then the exit caused by the client closing the pipe (not a crash)',
      {
        init: { protocolVersion: '2099-01-01' },
        crash: { exit: exit(0), when: 'before answering `initialize`', stderrTail: [], stdoutBytesSeen: true },
      },
      ['MCP709'],
      /"2099-01-01"/,
      /^protocol version not negotiated/,
    ],
    ['no version at all', { init: { capabilities: {} } }, ['MCP709'], /has no `protocolVersion`/, /not negotiated/],
    [
      'a crash before answering, with the traceback',
      {
        crash: {
          exit: exit(1),
          when: 'before answering `initialize`',
          stderrTail: [
            'Traceback (most recent call last):',
            '  File "/w/s.py", line 3, in <module>',
            "KeyError: 'TOKEN'",
          ],
          trace: parseLastTrace([
            'Traceback (most recent call last):',
            '  File "/w/s.py", line 3, in <module>',
            "KeyError: 'TOKEN'",
          ]),
          stdoutBytesSeen: false,
        },
      },
      ['MCP708'],
      /exited \(code 1\) before answering `initialize`: KeyError: 'TOKEN'/,
      /process exited \(code 1\) during startup/,
    ],
    [
      'a silent timeout while busy',
      { timedOut: true, cpuSeconds: 28, elapsedSeconds: 30 },
      ['MCP707'],
      /It was busy \(28\.0 s of CPU in 30\.0 s\).*MCP401/,
      /not answered in time/,
    ],
    [
      'a timeout while idle, after stdout noise',
      { timedOut: true, cpuSeconds: 0.2, noiseCount: 3, stdoutBytesSeen: true },
      ['MCP707'],
      /3 non-JSON line\(s\) to stdout.*It was idle.*MCP103/,
      /not answered in time/,
    ],
    [
      'an error answer, then an exit on stdin close (the answer explains it, not the exit)',
      {
        init: { error: { code: -32603, message: 'database unreachable' } },
        crash: { exit: exit(0), when: 'before answering `initialize`', stderrTail: [], stdoutBytesSeen: true },
      },
      ['MCP711'],
      /answered `initialize` with an error: .*database unreachable/,
      /answered with an error/,
    ],
    ['stdout closed (reported already)', { stdoutClosed: true }, [], /^$/, /closed its stdout/],
    [
      'anything else',
      { message: 'boom' },
      ['MCP711'],
      /handshake failed: boom\. The server wrote nothing to stderr\./,
      /^boom$/,
    ],
  ];
  for (const [name, over, codes, message, reason] of handshakeCases) {
    it(`stdio handshake: ${name}`, () => {
      const v = diagnoseHandshake(subject, handshake(over));
      assert.deepEqual(
        v.findings.map(([, f]) => f.code),
        codes,
      );
      if (codes.length) assert.match(v.findings[0][1].message, message);
      assert.match(v.reason, reason);
      for (const [, f] of v.findings) assert.equal(f.origin, 'runtime');
    });
  }

  it('a crash that points into the workspace is reported there, with the config entry related', () => {
    const f = crashFinding(subject, {
      exit: exit(1),
      when: 'while running',
      stderrTail: ['boom'],
      loc: { file: '/w/s.py', range: { start: { line: 2, character: 0 }, end: { line: 2, character: 9 } } },
      stdoutBytesSeen: true,
    });
    assert.equal(f.file, '/w/s.py');
    assert.equal(f.related?.[0].file, subject.file);
    assert.doesNotMatch(f.message, /Last stderr lines/);
    const silent = crashFinding(subject, { exit: exit(0), when: 'x', stderrTail: [], stdoutBytesSeen: false });
    assert.match(silent.message, /never starts a transport.*MCP104/);
  });

  const http = (over: Partial<HttpConnectEvidence>): HttpConnectEvidence => ({
    url: subject.url!,
    used: 'http',
    message: 'x',
    timedOut: false,
    dropped: false,
    startupTimeoutMs: 30000,
    elsewhere: [],
    ...over,
  });
  const httpCases: [string, Partial<HttpConnectEvidence>, string, RegExp][] = [
    ['401', { status: 401 }, 'MCP720', /requires authentication/],
    [
      '404 with the endpoint found elsewhere',
      { status: 404, elsewhere: [{ url: 'http://127.0.0.1:8000/mcp/', transport: 'http' }] },
      'MCP720',
      /Nothing serves MCP at this path.*answers at http:\/\/127\.0\.0\.1:8000\/mcp\/ \(Streamable HTTP\)/,
    ],
    ['421', { status: 421 }, 'MCP720', /DNS-rebinding/],
    ['503', { status: 503 }, 'MCP720', /failed while handling `initialize`/],
    [
      '405, then the SSE fallback fails',
      { status: 405, fallback: { status: 404, message: 'n' } },
      'MCP720',
      /HTTP 405.*SSE transport.*HTTP 404/,
    ],
    [
      'dropped',
      { dropped: true, message: 'fetch failed (UND_ERR_SOCKET)' },
      'MCP722',
      /closed it without an HTTP response/,
    ],
    ['timed out', { timedOut: true }, 'MCP707', /did not answer `initialize` within 30 s/],
    ['refused', { message: 'fetch failed (ECONNREFUSED)' }, 'MCP721', /Is the server running/],
    [
      'no scheme',
      { url: 'localhost:8000/mcp', message: 'fetch failed (unknown scheme)' },
      'MCP721',
      /no scheme: write `http:\/\/localhost:8000\/mcp`/,
    ],
  ];
  for (const [name, over, code, message] of httpCases) {
    it(`HTTP connect: ${name}`, () => {
      const v = diagnoseHttpConnect(subject, http(over));
      assert.equal(v.findings.length, 1);
      assert.equal(v.findings[0][1].code, code);
      assert.match(v.findings[0][1].message, message);
    });
  }

  it('HTTP mid-session: statuses and dropped connections; nothing for other errors', () => {
    assert.match(httpMidSession(subject, 'tools/call', 401, 'x')![1].message, /expired token/);
    assert.equal(httpMidSession(subject, 'tools/call', undefined, 'socket hang up')![1].code, 'MCP722');
    assert.equal(httpMidSession(subject, 'tools/call', undefined, 'something else'), undefined);
  });

  it('call checks: output schema, size, JSON-RPC errors and timeouts counted per tool', () => {
    const checks = new CallChecks(subject);
    const tool = { name: 'get', inputSchema: {}, outputSchema: { type: 'object', required: ['n'] } };
    const noStructured = checks.check('get', { ok: true, result: { content: [] } }, tool, 1000);
    assert.deepEqual(
      noStructured.forCall.map((f) => f.code),
      ['MCP203'],
    );
    const wrong = checks.check('get', { ok: true, result: { content: [], structuredContent: {} } }, tool, 1000);
    assert.match(wrong.forSession[0][1].message, /does not match its `outputSchema`/);
    assert.equal(
      checks.check('get', { ok: true, result: { content: [], structuredContent: { n: 1 } } }, tool, 1000).forSession
        .length,
      0,
    );
    const big = checks.check(
      'dump',
      { ok: true, result: { content: [{ type: 'text', text: 'x'.repeat(200_000) }] } },
      undefined,
      1000,
    );
    assert.equal(big.forSession[0][0], 'MCP718:dump');
    const err = { ok: false, error: { code: -32602, message: 'bad' } };
    checks.check('get', err, tool, 1000);
    assert.match(checks.check('get', err, tool, 1000).forSession[0][1].message, /failed 2× with JSON-RPC -32602/);
    checks.check('slow', { ok: false, timedOut: true }, undefined, 1500);
    const t = checks.check('slow', { ok: false, timedOut: true }, undefined, 1500).forSession[0];
    assert.equal(t[0], 'MCP717:slow');
    assert.match(t[1].message, /within 1\.5 s \(2 times\)/);
  });
});

describe('session diagnosis: a variable the server says is missing', () => {
  const env = { PATH: '/bin', SET_TOKEN: 'x', EMPTY_TOKEN: '' };
  const cases: [string, string | undefined][] = [
    ['GITHUB_PERSONAL_ACCESS_TOKEN environment variable is not set', 'GITHUB_PERSONAL_ACCESS_TOKEN'],
    ['Error: Missing environment variable: SLACK_BOT_TOKEN', 'SLACK_BOT_TOKEN'],
    ['Please set BRAVE_API_KEY to use web search', 'BRAVE_API_KEY'],
    ['ValueError: OPENAI_API_KEY is required', 'OPENAI_API_KEY'],
    ['EMPTY_TOKEN is empty', 'EMPTY_TOKEN'],
    ['SET_TOKEN is not set', undefined],
    ['Listening on port 8080 (LOG_LEVEL=debug)', undefined],
    ['the value is missing from the request', undefined],
  ];
  for (const [line, expected] of cases)
    it(`"${line}" → ${expected ?? 'nothing'}`, () => assert.equal(missingEnvMention(line, env), expected));

  it('stays fast on long adversarial lines', () => {
    const t0 = performance.now();
    for (const line of [
      'A_' + 'B_'.repeat(5000),
      'missing ' + 'A'.repeat(10000) + '_',
      ('X_YZ ' + ' '.repeat(39)).repeat(200),
    ])
      missingEnvMention(line, env);
    assert.ok(performance.now() - t0 < 200, `${performance.now() - t0} ms`);
  });
});

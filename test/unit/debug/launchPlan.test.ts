import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ServerConfig } from '../../../src/core/config/types';
import { parseShebang, planDebugLaunch, type PlanHost } from '../../../src/core/debug/launchPlan';
import { planHostFor, probeDebugpy } from '../../../src/core/debug/machine';
import { serverConfig } from '../session/helpers';

const REPO = path.resolve(__dirname, '../../..');
const VENV_PY = path.join(REPO, '.venv', 'bin', 'python');
const PORT = 41234;
const LISTEN = ['-X', 'frozen_modules=off', '-m', 'debugpy', '--listen', `127.0.0.1:${PORT}`, '--wait-for-client'];
const INSPECT = `--inspect-brk=127.0.0.1:${PORT}`;

/** A machine of files (path → first bytes) and PATH entries (name → path), for the tables. */
function host(files: Record<string, string> = {}, onPath: Record<string, string> = {}, cwd = '/w'): PlanHost {
  return {
    cwd,
    which: (c) => (c.includes('/') ? (c in files ? c : undefined) : onPath[c]),
    realpath: (f) => (f in files ? f : undefined),
    head: (f) => files[f],
  };
}

function plan(command: string, args: string[], h: PlanHost = host()) {
  return planDebugLaunch(serverConfig('s', { command, args }), PORT, h);
}

function line(r: ReturnType<typeof plan>): string[] {
  if (!r.ok) throw new Error(r.reason);
  return [r.plan.server.command!, ...(r.plan.server.args ?? [])];
}

describe('debug launch plans: the server under debugpy or the Node inspector, from its own runtime', () => {
  const table: [string, string, string[], string[], PlanHost?][] = [
    ['python file', 'python3', ['server.py', '--port', '1'], ['python3', ...LISTEN, 'server.py', '--port', '1']],
    [
      'python options kept before debugpy',
      '/v/bin/python',
      ['-u', '-X', 'dev', 'srv.py'],
      ['/v/bin/python', '-u', '-X', 'dev', ...LISTEN, 'srv.py'],
    ],
    ['python -m module', 'python', ['-m', 'pkg.server', 'stdio'], ['python', ...LISTEN, '-m', 'pkg.server', 'stdio']],
    [
      'uv run python',
      'uv',
      ['run', '--directory', '/p', 'python', 'server.py'],
      ['uv', 'run', '--directory', '/p', 'python', ...LISTEN, 'server.py'],
    ],
    [
      'uv run script.py',
      'uv',
      ['run', '--with', 'fastmcp', 'server.py'],
      ['uv', 'run', '--with', 'fastmcp', 'python', ...LISTEN, 'server.py'],
    ],
    [
      'poetry run python',
      'poetry',
      ['run', 'python', '-m', 'srv'],
      ['poetry', 'run', 'python', ...LISTEN, '-m', 'srv'],
    ],
    [
      'node script, old inspector flag dropped',
      'node',
      ['--inspect=9229', '-r', 'dotenv/config', 'dist/index.js', 'stdio'],
      ['node', INSPECT, '-r', 'dotenv/config', 'dist/index.js', 'stdio'],
    ],
    ['tsx passes the flag to its node', 'tsx', ['src/index.ts'], ['tsx', INSPECT, 'src/index.ts']],
    ['tsx watch runs once', 'tsx', ['watch', 'src/index.ts'], ['tsx', INSPECT, 'src/index.ts']],
    [
      'npx of a local binary is followed',
      'npx',
      ['-y', 'tsx', 'server.ts'],
      ['/w/node_modules/.bin/tsx', INSPECT, 'server.ts'],
      host({ '/w/node_modules/.bin/tsx': '#!/usr/bin/env node\n' }, {}, '/w/sub'),
    ],
    [
      'a venv console script runs under its shebang interpreter',
      'fastmcp',
      ['run', 'server.py'],
      ['/v/bin/python', ...LISTEN, '/v/bin/fastmcp', 'run', 'server.py'],
      host({ '/v/bin/fastmcp': '#!/v/bin/python\nimport sys\n' }, { fastmcp: '/v/bin/fastmcp' }),
    ],
    [
      "pip's long-path console script",
      'my-server',
      [],
      ['/very/long/v/bin/python', ...LISTEN, '/v/bin/my-server'],
      host(
        { '/v/bin/my-server': `#!/bin/sh\n'''exec' "/very/long/v/bin/python" "$0" "$@"\n' '''\n` },
        { 'my-server': '/v/bin/my-server' },
      ),
    ],
    [
      'an npm binary runs under node',
      'mcp-server-notes',
      ['--db', 'x'],
      ['node', INSPECT, '/w/node_modules/notes/dist/cli.js', '--db', 'x'],
      host(
        { '/w/node_modules/notes/dist/cli.js': '#!/usr/bin/env node\n' },
        { 'mcp-server-notes': '/w/node_modules/notes/dist/cli.js' },
      ),
    ],
  ];
  for (const [what, command, args, expected, h] of table)
    it(what, () => assert.deepEqual(line(plan(command, args, h)), expected));

  it('the Python plan probes and installs debugpy with the same interpreter and wrapper', () => {
    const r = plan('uv', ['run', '--project', '/p', 'server.py']);
    assert.ok(r.ok);
    assert.equal(r.plan.runtime, 'python');
    assert.deepEqual(r.plan.probe, {
      command: 'uv',
      args: ['run', '--project', '/p', 'python', '-c', 'import debugpy, sys; sys.stdout.write(debugpy.__version__)'],
    });
    assert.deepEqual(r.plan.install, { command: 'uv', args: ['add', '--dev', 'debugpy'] });
    assert.equal(r.plan.server.env?.PYDEVD_DISABLE_FILE_VALIDATION, '1');
    const direct = plan('/v/bin/python', ['-u', 's.py']);
    assert.ok(direct.ok);
    assert.deepEqual(direct.plan.install, { command: '/v/bin/python', args: ['-m', 'pip', 'install', 'debugpy'] });
    const node = plan('node', ['x.js']);
    assert.ok(node.ok && node.plan.runtime === 'node' && !node.plan.probe);
  });

  it('a console script behind uv run is found on the environment PATH when it starts', () => {
    const args = line(plan('uv', ['run', 'fastmcp', 'run', 'server.py']));
    const c = args.indexOf('-c');
    assert.deepEqual(args.slice(0, 3), ['uv', 'run', 'python']);
    assert.match(args[c + 1], /shutil\.which\(sys\.argv\[1\]\)/);
    assert.deepEqual(args.slice(c + 2), ['fastmcp', 'run', 'server.py']);
  });

  const refused: [string, Partial<ServerConfig>, RegExp][] = [
    ['a remote server', { command: undefined, url: 'https://x/mcp' }, /remote server/],
    ['uvx', { command: 'uvx', args: ['mcp-server-fetch'] }, /throw-away environment/],
    ['docker', { command: 'docker', args: ['run', '-i', 'img'] }, /container/],
    ['npx of a package not installed', { command: 'npx', args: ['-y', '@acme/mcp@1.2.0'] }, /would download/],
    ['python without a target', { command: 'python', args: ['-u'] }, /names no script/],
    ['a native binary', { command: 'server-bin', args: [] }, /not found on the server's PATH/],
  ];
  for (const [what, over, reason] of refused)
    it(`says why it cannot: ${what}`, () => {
      const r = planDebugLaunch(serverConfig('s', over), PORT, host());
      assert.equal(r.ok, false);
      assert.match((r as { reason: string }).reason, reason);
    });

  it('reads shebangs: env with -S and arguments, absolute interpreters', () => {
    assert.deepEqual(parseShebang('#!/usr/bin/env -S python3 -u\n'), { interpreter: 'python3', args: ['-u'] });
    assert.deepEqual(parseShebang('#!/opt/v/bin/python3.12'), { interpreter: '/opt/v/bin/python3.12', args: [] });
    assert.equal(parseShebang('\x7fELF...'), undefined);
  });

  describe('on this machine (the project .venv, node_modules)', function () {
    this.timeout(60000);
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpdoc-plan-'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("the venv's fastmcp console script → its python under debugpy, and debugpy is found there", async () => {
      const server = serverConfig('calc', { command: path.join(REPO, '.venv/bin/fastmcp'), args: ['run', 'x.py'] });
      const r = planDebugLaunch(server, PORT, planHostFor(server, dir));
      assert.ok(r.ok, !r.ok ? r.reason : '');
      // pip writes the interpreter it ran under into the script: the venv's python3.
      assert.equal(r.plan.server.command, fs.readFileSync(server.command!, 'utf8').split('\n')[0].slice(2));
      assert.ok(r.plan.server.command!.startsWith(path.join(REPO, '.venv/bin/python')));
      assert.equal(r.plan.server.args![LISTEN.length], path.join(REPO, '.venv/bin/fastmcp'));
      const probe = await probeDebugpy(r.plan.probe!, server, dir);
      assert.deepEqual(probe, { ok: true, version: '1.8.22' });
    });

    it('an interpreter without debugpy is told apart from one that cannot run', async () => {
      const venv = path.join(dir, 'bare');
      fs.mkdirSync(venv);
      // A venv of its own (no packages), made from the project interpreter.
      const { spawnSync } = await import('node:child_process');
      const made = spawnSync(VENV_PY, ['-m', 'venv', '--without-pip', venv], { encoding: 'utf8' });
      assert.equal(made.status, 0, made.stderr);
      const bare = serverConfig('bare', { command: path.join(venv, 'bin', 'python'), args: ['s.py'] });
      const r = planDebugLaunch(bare, PORT, planHostFor(bare, dir));
      assert.ok(r.ok);
      const missing = await probeDebugpy(r.plan.probe!, bare, dir);
      assert.equal(missing.ok, false);
      assert.equal((missing as { missing: boolean }).missing, true);
      const broken = await probeDebugpy({ command: path.join(dir, 'nope'), args: [] }, bare, dir);
      assert.equal(broken.ok, false);
      assert.equal((broken as { missing: boolean }).missing, false);
    });

    it("the project's tsx binary (a symlink into tsx/dist/cli.mjs) gets the flag", () => {
      const server = serverConfig('ts', { command: path.join(REPO, 'node_modules/.bin/tsx'), args: ['s.ts'] });
      const r = planDebugLaunch(server, PORT, planHostFor(server, REPO));
      assert.deepEqual(line(r), [path.join(REPO, 'node_modules/.bin/tsx'), INSPECT, 's.ts']);
    });
  });
});

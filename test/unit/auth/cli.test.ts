import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../../src/cli/commands/check';
import type { CliIo } from '../../../src/cli/io';
import { startWorld, type World } from './world';

function bufferIo(cwd: string): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd } as Record<string, string | undefined>,
  };
  return io;
}

describe('cli: mcp-doctor check on an OAuth-protected server', function () {
  this.timeout(30000);
  let world: World | undefined;
  let ws: string;
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-auth-'));
    fs.mkdirSync(path.join(ws, '.vscode'));
  });
  afterEach(async () => {
    await world?.stop();
    world = undefined;
    fs.rmSync(ws, { recursive: true, force: true });
  });

  function config(url: string): void {
    fs.writeFileSync(
      path.join(ws, '.vscode', 'mcp.json'),
      JSON.stringify({ servers: { notes: { type: 'http', url } } }, null, 2),
    );
  }

  it('signs in headlessly where the server approves by itself, and prints no secret', async () => {
    world = await startWorld({});
    config(world.mcpUrl);
    const io = bufferIo(ws);
    const code = await run([ws, '--no-user'], io);
    assert.equal(code, 0, io.stdout + io.stderr);
    assert.match(io.stdout, /✔ notes/);
    const json = bufferIo(ws);
    assert.equal(await run([ws, '--no-user', '--json'], json), 0);
    const out = JSON.parse(json.stdout) as { servers: { status: string; tools: number }[] };
    assert.equal(out.servers[0].status, 'ok');
    assert.equal(out.servers[0].tools, 1);
    const printed = io.stdout + io.stderr + json.stdout + json.stderr;
    assert.ok(world.secretsSeen.length >= 3);
    for (const s of [...world.secretsSeen, ...world.tokensSeen])
      assert.ok(!printed.includes(s), 'a secret was printed');
  });

  it('without a terminal, a server whose authorization server wants a person is MCP801 with what to do', async () => {
    world = await startWorld({ interaction: 'form' });
    config(world.mcpUrl);
    const io = bufferIo(ws);
    const code = await run([ws, '--no-user'], io);
    assert.equal(code, 1);
    assert.match(io.stdout, /MCP801/);
    assert.match(io.stdout, /run `mcp-doctor check` in a terminal/);
    assert.doesNotMatch(io.stdout, /Nothing serves MCP/);
  });
});

/** A person in a browser: logs in and consents on oidc-provider's pages, following redirects with cookies. */
async function signInLikeAPerson(url: string): Promise<string> {
  const jar = new Map<string, string>();
  const go = async (target: string, init: RequestInit = {}): Promise<Response> => {
    const res = await fetch(target, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  };
  let at = url;
  for (let hop = 0; hop < 12; hop++) {
    const res = await go(at);
    const location = res.headers.get('location');
    if (location) {
      at = new URL(location, at).href;
      if (at.includes('/callback')) return (await go(at)).text();
      continue;
    }
    const page = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    if (!action) throw new Error(`no form on ${at}: ${page.slice(0, 200)}`);
    const fields = new URLSearchParams();
    for (const m of page.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
      const name = /name="([^"]+)"/.exec(m[0])?.[1];
      if (name) fields.set(name, /value="([^"]*)"/.exec(m[0])?.[1] ?? '');
    }
    if (page.includes('name="login"')) {
      fields.set('login', 'ada');
      fields.set('password', 'secret');
    }
    const body = fields.toString();
    const posted = await go(new URL(action, at).href, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    at = new URL(posted.headers.get('location')!, at).href;
  }
  throw new Error('too many hops');
}

describe('cli: mcp-doctor check in a terminal, where the authorization server wants a person', function () {
  this.timeout(30000);

  it('prints the URL to open, waits for the browser, and signs in', async () => {
    const world = await startWorld({ interaction: 'form' });
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-auth-'));
    try {
      fs.mkdirSync(path.join(ws, '.vscode'));
      fs.writeFileSync(
        path.join(ws, '.vscode', 'mcp.json'),
        JSON.stringify({ servers: { notes: { type: 'http', url: world.mcpUrl } } }),
      );
      const io = bufferIo(ws);
      io.interactive = true;
      let page: Promise<string> | undefined;
      io.err = (t: string) => {
        io.stderr += t;
        const url = /Open this URL in a browser:\s+(\S+)/.exec(io.stderr)?.[1];
        if (url && !page) {
          page = signInLikeAPerson(url);
          page.catch(() => undefined);
        }
      };
      const code = await run([ws, '--no-user'], io);
      assert.equal(code, 0, io.stdout + io.stderr);
      assert.match(
        io.stderr,
        /notes requires sign-in\. Open this URL in a browser:\n\n {2}http:\/\/127\.0\.0\.1:\d+\/auth\?/,
      );
      assert.match(await page!, /Signed in/);
      assert.match(io.stdout, /✔ notes/);
      for (const s of [...world.secretsSeen, ...world.tokensSeen])
        assert.ok(!(io.stdout + io.stderr).includes(s), 'a secret was printed');
    } finally {
      await world.stop();
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});

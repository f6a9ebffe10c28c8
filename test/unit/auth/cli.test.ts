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

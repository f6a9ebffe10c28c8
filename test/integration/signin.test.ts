import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerConfig } from '../../src/core/config/types';
import type { SessionView } from '../../src/core/session/types';
import type { DoctorTestApi } from '../../src/testApi';
import { startWorld, type World } from '../unit/auth/world';
import { BrowserFrame, BrowserTab, openTab, webview } from './browser';
import { activateDoctor, waitFor, workspaceRoot } from './helpers';

/** Every trace entry of a server's sessions, as text (recorder and the JSONL file). */
function traceText(api: DoctorTestApi, serverId: string): string {
  const out: string[] = [];
  for (const s of api.trace.hub.all().filter((h) => h.serverId === serverId)) {
    for (let seq = s.recorder.oldestSeq; seq <= s.recorder.lastSeq; seq++) {
      const e = s.recorder.get(seq);
      if (e) out.push(`${e.kind} ${typeof e.msg === 'string' ? e.msg : JSON.stringify(e.msg)}`);
    }
    if (s.file && fs.existsSync(s.file)) out.push(fs.readFileSync(s.file, 'utf8'));
  }
  return out.join('\n');
}

describe('Sign-in to an OAuth-protected server in VS Code', function () {
  this.timeout(120000);
  let api: DoctorTestApi;
  let world: World;
  let server: ServerConfig;

  before(async () => {
    api = await activateDoctor();
    api.setAutoApprove(true);
    world = await startWorld({ interaction: 'form' });
    server = {
      id: `vscode:${path.join(workspaceRoot(), '.vscode', 'mcp.json')}#protected-notes`,
      name: 'protected-notes',
      client: 'vscode',
      file: path.join(workspaceRoot(), '.vscode', 'mcp.json'),
      scope: 'workspace',
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      transport: 'http',
      url: world.mcpUrl,
      disabled: false,
      unresolved: [],
      raw: { type: 'http', url: world.mcpUrl },
    };
  });

  after(async () => {
    await api.sessions.stop(server.id).catch(() => undefined);
    api.setAutoApprove(false);
    await world?.stop();
  });

  it('signs in through the browser, lists and calls a tool, shows the steps, and signs out', async () => {
    // Every SecretStorage key written during the sign-in (SecretStorage has no list of its keys).
    const written = new Set<string>();
    const watching = api.context.secrets.onDidChange((e) => written.add(e.key));
    const opened = api.openedUrls.length;
    const starting = api.sessions.start(server);

    // The browser step, in a tab of the host's Chromium: the authorization server's login and consent pages.
    const url = await waitFor(() => api.openedUrls[opened], 'the sign-in page to be opened', 30000);
    assert.match(url, /code_challenge_method=S256/);
    assert.match(url, /resource=/);
    await openTab(url);
    const tab = new BrowserTab();
    await waitFor(async () => (await tab.text('form')) !== '', 'the login form', 20000);
    await tab.fill('input[name="login"]', 'ada');
    await tab.fill('input[name="password"]', 'any password');
    await tab.click('button[type="submit"]');
    await waitFor(
      async () => /Continue/i.test(await tab.text('button[type="submit"]').catch(() => '')),
      'the consent page',
      20000,
    );
    await tab.click('button[type="submit"]');
    await waitFor(
      async () => /Signed in/.test(await tab.text('h2').catch(() => '')),
      'the loopback page saying "Signed in"',
      20000,
    );
    await tab.close();

    const view = (await starting) as SessionView;
    assert.equal(view.state.kind, 'running', JSON.stringify(view.state) + JSON.stringify(view.findings));
    assert.deepEqual(
      view.tools.map((t) => t.name),
      ['whoami'],
    );
    const call = await api.sessions.session(server.id)!.callTool('whoami', {});
    assert.equal(call.ok, true, JSON.stringify(call.error));
    assert.match(JSON.stringify(call.result), /with scopes mcp:tools/);

    // The token is in SecretStorage while signed in.
    const key = api.signIns.secretKey(world.mcpUrl);
    const stored = await api.context.secrets.get(key);
    assert.ok(stored && JSON.parse(stored).tokens?.access_token, 'tokens in SecretStorage');

    // The Sign-in view (the auth debugger) shows each step, as the user sees it in the workbench.
    await vscode.commands.executeCommand('mcpDoctor.signIn.focus');
    const workbench = new BrowserFrame();
    const drawn = await waitFor(
      async () => {
        const text = await workbench.eval((_: null, doc) => {
          const pane = [...doc.querySelectorAll('.pane')].find((p) =>
            /Sign-in/.test(p.querySelector('.pane-header')?.textContent ?? ''),
          );
          return pane?.querySelector('.pane-body')?.textContent ?? '';
        }, null);
        return /Token request/.test(text) && /Client registration/.test(text) ? text : undefined;
      },
      'the Sign-in view to draw the steps',
      20000,
    ).catch(async (err) => {
      const headers = await workbench.eval(
        (_: null, doc) => [...doc.querySelectorAll('.pane-header')].map((h) => h.textContent),
        null,
      );
      throw new Error(`${(err as Error).message}; panes: ${JSON.stringify(headers)}`);
    });
    assert.match(drawn, /Protected resource metadata/);
    assert.match(drawn, /protected-notes/);

    // Nothing secret in the trace (memory and file).
    const trace = traceText(api, server.id);
    assert.match(trace, /POST .*\/mcp .*→ 401/);
    assert.match(trace, /sign-in · Token request/);
    for (const s of [...world.secretsSeen, ...world.tokensSeen])
      assert.ok(!trace.includes(s), 'a secret is in the trace');

    // The trace view draws the HTTP exchanges and the sign-in steps among the JSON-RPC rows.
    await vscode.commands.executeCommand('mcpDoctor.openTrace', { serverId: server.id });
    const traceView = await webview('.row');
    // Search as a user would: the HTTP exchanges and sign-in steps of this server's first requests.
    await traceView.fill('input.search', '→ 401');
    const rows = await waitFor(
      async () => {
        const drawn = await traceView.visibleRows('.row.k-http, .row.k-auth');
        return drawn.some((r) => /^POST .*\/mcp → 401 application\/json/.test(r.cells[2])) &&
          drawn.some((r) => /^sign-in · Challenge \(401 from the MCP server\)/.test(r.cells[2]))
          ? drawn
          : undefined;
      },
      'HTTP and sign-in rows in the trace view',
      20000,
    ).catch(async (err) => {
      const all = await traceView.visibleRows('.row');
      const box = await traceView.eval(
        (_: null, doc) =>
          [...doc.querySelectorAll('input.search, .count')].map(
            (e) => `${e.className}=${(e as unknown as { value?: string }).value ?? e.textContent}`,
          ),
        null,
      );
      throw new Error(`${(err as Error).message}: ${JSON.stringify(box)} ${JSON.stringify(all.slice(0, 3))}`);
    });
    await traceView.fill('input.search', 'Token request');
    const tokenRows = await waitFor(
      async () => {
        const drawn = await traceView.visibleRows('.row.k-auth');
        return drawn.some((r) => /token issued/.test(r.cells[2])) ? drawn : undefined;
      },
      'the token request row in the trace view',
      20000,
    );
    for (const s of [...world.secretsSeen, ...world.tokensSeen])
      assert.ok(!JSON.stringify([rows, tokenRows]).includes(s), 'a secret is drawn in the trace view');
    await traceView.fill('input.search', '');

    // Sign out: the token is gone from SecretStorage.
    const had = await vscode.commands.executeCommand<boolean>('mcpDoctor.signOut', { serverId: server.id });
    assert.equal(had, true);
    assert.equal(await api.context.secrets.get(key), undefined);
    watching.dispose();
    assert.ok(written.has(key), `the sign-in wrote ${[...written].join(', ')}`);
    for (const k of written)
      assert.equal(await api.context.secrets.get(k), undefined, `${k} is still in SecretStorage`);
  });
});

describe('Watch mode restarts an HTTP server MCP Doctor launched, and reconnects', function () {
  this.timeout(90000);

  it('restarts the process on a source change and is running over Streamable HTTP again', async () => {
    const api = await activateDoctor();
    api.setAutoApprove(true);
    const net = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const dir = path.join(workspaceRoot(), 'watched-http');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'app.mjs'), '// the server code under edit\n');
    const fixture = path.resolve(workspaceRoot(), '..', '..', 'servers', 'fastmcp-http.mjs');
    const server: ServerConfig = {
      id: `vscode:${path.join(workspaceRoot(), '.vscode', 'mcp.json')}#watched-http`,
      name: 'watched-http',
      client: 'vscode',
      file: path.join(workspaceRoot(), '.vscode', 'mcp.json'),
      scope: 'workspace',
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      transport: 'http',
      command: 'node',
      args: [fixture, String(port)],
      cwd: dir,
      url: `http://127.0.0.1:${port}/mcp`,
      disabled: false,
      unresolved: [],
      raw: {},
    };
    const settings = vscode.workspace.getConfiguration('mcpDoctor');
    await settings.update('launch.watch', true, vscode.ConfigurationTarget.Workspace);
    try {
      const view = (await api.sessions.start(server))!;
      assert.equal(view.state.kind, 'running', JSON.stringify(view.state) + JSON.stringify(view.findings));
      assert.equal(view.state.kind === 'running' && view.state.transport, 'http');
      await vscode.workspace.fs.writeFile(
        vscode.Uri.file(path.join(dir, 'app.mjs')),
        new TextEncoder().encode('// edited\n'),
      );
      const again = await waitFor(
        () => {
          const now = api.sessions.get(server.id);
          return now?.state.kind === 'running' && now.pid !== view.pid ? now : undefined;
        },
        'a restart with a new process, connected again',
        30000,
      );
      assert.equal(again.state.kind === 'running' && again.state.transport, 'http');
      assert.match(api.sessions.terminal(server).text(), /app\.mjs changed: restarting/);
      assert.ok((await api.sessions.session(server.id)!.callTool('add', { a: 1, b: 2 })).ok);
    } finally {
      await settings.update('launch.watch', undefined, vscode.ConfigurationTarget.Workspace);
      await api.sessions.stop(server.id);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

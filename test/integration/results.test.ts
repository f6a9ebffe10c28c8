import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DoctorTestApi } from '../../src/testApi';
import { resultView, shows } from './browser';
import { activateDoctor, demoServer, waitFor, workspaceRoot } from './helpers';

/** The result view tabs open in the editor area. */
function resultTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) =>
    g.tabs.filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('mcpDoctor.result')),
  );
}

describe('Result view (rendered, one per server)', function () {
  this.timeout(120000);
  let api: DoctorTestApi;
  let manager: DoctorTestApi['sessions'];
  let dir: string;
  const started = new Set<string>();

  before(async () => {
    api = await activateDoctor();
    manager = api.sessions;
    api.setAutoApprove(true);
    // A real FastMCP 4 server that returns every kind of content block.
    const repo = process.env.MCP_DOCTOR_REPO_ROOT ?? path.resolve(__dirname, '../../..');
    dir = path.join(workspaceRoot(), 'results');
    fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, '.vscode', 'mcp.json'),
      JSON.stringify({
        servers: {
          'content-kinds': {
            type: 'stdio',
            command: path.join(repo, '.venv', 'bin', 'python'),
            args: [path.join(repo, 'test', 'fixtures', 'servers', 'fastmcp-content.py')],
          },
        },
      }),
    );
    await api.config.refresh();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    for (const id of started) await manager.stop(id);
    fs.rmSync(dir, { recursive: true, force: true });
    await api.config.refresh();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a second call reuses the server’s view and lists both calls', async () => {
    const server = await demoServer(api, 'everything');
    started.add(server.id);
    const groupsBefore = vscode.window.tabGroups.all.length;
    const call = (message: string) =>
      vscode.commands.executeCommand('mcpDoctor.callTool', {
        serverId: server.id,
        toolName: 'echo',
        args: { message },
      });
    await call('first call');
    const view = await resultView('everything');
    await shows(view, 'echo', 'Echo: first call');
    assert.equal(resultTabs().length, 1, 'one result tab');
    const groupsAfterFirst = vscode.window.tabGroups.all.length;
    assert.ok(groupsAfterFirst <= groupsBefore + 1, 'at most one group opened beside');

    await call('second call');
    await shows(view, 'echo', 'Echo: second call');
    assert.equal(resultTabs().length, 1, 'still one result tab after the second call');
    assert.equal(vscode.window.tabGroups.all.length, groupsAfterFirst, 'no new editor group');
    assert.equal(resultTabs()[0].label, 'Result: everything');

    // The status is drawn with a codicon (not an emoji the font may lack), the history lists both.
    assert.equal(
      await view.eval((_: null, doc) => doc.querySelectorAll('.record-head .codicon-pass-filled').length),
      1,
    );
    const history = await view.eval((_: null, doc) =>
      Array.from(doc.querySelectorAll('.history-item'), (b) => ({
        name: b.querySelector('.h-name')?.textContent,
        current: b.getAttribute('aria-current'),
      })),
    );
    assert.deepEqual(history, [
      { name: 'echo', current: 'true' },
      { name: 'echo', current: 'false' },
    ]);
    // The older call is one click away.
    await view.click('.history-item >> nth=1');
    await shows(view, 'echo', 'Echo: first call');
    const args = await view.text('.args');
    assert.match(args, /message.*"first call"/);
    // "Call again" repeats the shown call with its arguments.
    await view.click('.actions button:has-text("Call again")');
    await waitFor(
      async () => (await view.eval((_: null, doc) => doc.querySelectorAll('.history-item').length)) === 3,
      'a third call in the history',
    );
    await shows(view, 'echo', 'Echo: first call');
  });

  it('draws each content block by type: text, JSON (foldable), image, audio, links, embedded resources', async () => {
    const server = await waitFor(
      () => api.config.servers.find((s) => s.name === 'content-kinds'),
      'the content-kinds server',
    );
    started.add(server.id);
    const outcome = await vscode.commands.executeCommand<{ ok: boolean }>('mcpDoctor.callTool', {
      serverId: server.id,
      toolName: 'gallery',
      args: {},
    });
    assert.equal(outcome?.ok, true);
    const view = await resultView('content-kinds');
    await shows(view, 'gallery', 'Here is one block of each kind.');
    const drawn = await view.eval((_: null, doc) => {
      const img = doc.querySelector('.b-image img') as unknown as { naturalWidth: number; complete: boolean } | null;
      const audio = doc.querySelector('.b-audio audio') as unknown as { src: string } | null;
      return {
        blocks: Array.from(doc.querySelectorAll('.record .content > .block'), (b) => b.className),
        jsonFolds: doc.querySelectorAll('.b-text .json-tree details').length,
        imageWidth: img?.complete ? img.naturalWidth : -1,
        audioSrc: audio?.src.slice(0, 22) ?? '',
        link: doc.querySelector('.b-resource_link .link')?.textContent,
        embedded: doc.querySelector('.b-resource')?.textContent ?? '',
      };
    });
    assert.deepEqual(drawn.blocks, [
      'block b-text',
      'block b-text',
      'block b-image',
      'block b-audio',
      'block b-resource_link',
      'block b-resource',
    ]);
    assert.ok(drawn.jsonFolds >= 2, `the JSON text is a tree (${drawn.jsonFolds} folds)`);
    assert.equal(drawn.imageWidth, 48, 'the PNG is decoded and drawn at its size');
    assert.equal(drawn.audioSrc, 'data:audio/wav;base64,');
    assert.equal(drawn.link, 'today');
    assert.match(drawn.embedded, /notes:\/\/inline[\s\S]*An embedded note\./);
    // Folding: a click on a node's summary closes it.
    const openBefore = await view.eval((_: null, doc) => doc.querySelectorAll('.b-text details[open]').length);
    await view.click('.b-text .json-tree details > summary >> nth=0');
    await waitFor(
      async () =>
        (await view.eval((_: null, doc) => doc.querySelectorAll('.b-text details[open]').length)) < openBefore,
      'the JSON node to fold',
      5000,
    );

    // A resource link reads the resource into the same view.
    await view.click('.b-resource_link .link');
    await shows(view, 'notes://today', 'Notes for today: ship the result view.');

    // structuredContent beside the tool's outputSchema.
    await vscode.commands.executeCommand('mcpDoctor.callTool', {
      serverId: server.id,
      toolName: 'forecast',
      args: { city: 'Oslo' },
    });
    await shows(view, 'forecast', 'Sunny');
    const cols = await view.eval((_: null, doc) =>
      Array.from(doc.querySelectorAll('.structured .col'), (c) => c.textContent ?? ''),
    );
    assert.equal(cols.length, 2);
    assert.match(cols[0], /^structuredContent[\s\S]*city[\s\S]*"Oslo"[\s\S]*"Sunny"/);
    assert.match(cols[1], /^outputSchema[\s\S]*temperature_c[\s\S]*Temperature in Celsius/);
    assert.equal(resultTabs().length, 2, 'one view per server: everything and content-kinds');
  });
});

import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerConfig } from '../../src/core/config/types';
import type { CallOutcome } from '../../src/core/session/mcpSession';
import type { SessionView } from '../../src/core/session/types';
import type { DoctorTestApi } from '../../src/testApi';
import type { TreeNode } from '../../src/vscode/treeNodes';
import { resultView, shows, webview, workbench, type BrowserFrame, type PageDocument } from './browser';
import {
  activateDoctor,
  demoServer,
  serverNode,
  tracePanelReady,
  treeProvider,
  waitFor,
  workspaceRoot,
} from './helpers';

/** A TCP port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** What the quick input (the form) shows: its title, input, message and items. */
interface QuickInput {
  visible: boolean;
  /** The focus is in its input (where a user's typing goes). */
  focused: boolean;
  title: string;
  value: string;
  message: string;
  items: { label: string; description: string; checked: boolean | null }[];
}

async function quickInput(): Promise<QuickInput> {
  return workbench.eval((_: null, doc: PageDocument) => {
    const w = doc.querySelector('.quick-input-widget');
    if (!w || !w.checkVisibility({ checkVisibilityCSS: true }))
      return { visible: false, focused: false, title: '', value: '', message: '', items: [] };
    const box = w.querySelector('.quick-input-box input');
    const input = box as unknown as { value: string } | null;
    return {
      visible: true,
      focused: !!box && doc.activeElement === box,
      title: w.querySelector('.quick-input-title')?.textContent ?? '',
      value: input?.value ?? '',
      message: w.querySelector('.quick-input-message')?.textContent ?? '',
      items: [...w.querySelectorAll('.quick-input-list .monaco-list-row')].map((r) => {
        const box = r.querySelector('input[type=checkbox]') as unknown as { checked: boolean } | null;
        const toggle = r.querySelector('[aria-checked]');
        return {
          label: (r.querySelector('.label-name')?.textContent ?? '').trim(),
          description: r.querySelector('.label-description')?.textContent ?? '',
          checked: box ? box.checked : toggle ? toggle.getAttribute('aria-checked') === 'true' : null,
        };
      }),
    };
  }, null);
}

/** Waits for the form step whose title contains `title` (and `until`, when given, holds). */
async function step(title: string, until: (q: QuickInput) => boolean = () => true): Promise<QuickInput> {
  let last: QuickInput | undefined;
  try {
    return await waitFor(
      async () => {
        last = await quickInput();
        return last.visible && last.title.includes(title) && until(last) ? last : undefined;
      },
      `the form step "${title}"`,
      20000,
    );
  } catch (err) {
    throw new Error(`${String(err)}; the quick input shows ${JSON.stringify(last)}`, { cause: err });
  }
}

/**
 * Runs `command` (with `arg`) and answers the form it opens with `answer` as a user does: waits
 * until its first step (title containing `title`, `until` holding) is shown with the focus in its
 * input before typing, and runs it again when the form closed before the answer reached the call.
 * A quick input closes when something else takes the focus (a terminal an earlier command showed,
 * still opening): the user sees the form vanish and opens it again. Resolves with the call's
 * outcome and the first step as shown.
 */
async function answerForm(
  command: string,
  arg: unknown,
  title: string,
  answer: (first: QuickInput) => Promise<void>,
  until: (q: QuickInput) => boolean = () => true,
): Promise<{ outcome: CallOutcome; first: QuickInput }> {
  for (let attempt = 1; ; attempt++) {
    let closed = false;
    const done = Promise.resolve(vscode.commands.executeCommand<CallOutcome | undefined>(command, arg)).finally(
      () => (closed = true),
    );
    done.catch(() => undefined); // awaited below; a rejection meanwhile is not unhandled
    let last: QuickInput | undefined;
    const first = await waitFor(
      async () => {
        if (closed) return 'closed' as const;
        last = await quickInput();
        return last.visible && last.focused && last.title.includes(title) && until(last) ? last : undefined;
      },
      () => `the form step "${title}" with the focus in its input; the quick input shows ${JSON.stringify(last)}`,
      20000,
    );
    if (first === 'closed') assert.equal(await done, undefined, `the call ended without showing the form "${title}"`);
    else {
      await answer(first).catch((err: unknown) => {
        if (!closed) throw err; // the form is still open: the answer itself failed
      });
      const outcome = await done;
      if (outcome !== undefined) return { outcome, first };
    }
    assert.ok(attempt < 3, `the form "${title}" closed ${attempt} times before it was answered`);
    console.log(`    the form "${title}" closed before it was answered (attempt ${attempt}): opening it again`);
  }
}

const QUICK_INPUT = '.quick-input-widget .quick-input-box input';
const DECLINE_BUTTON = '.quick-input-widget .quick-input-titlebar [aria-label^="Decline"]';

/**
 * Does a user action (a click on a title-bar button, Escape) until the call it answers settles. An
 * action that lands while the workbench is still drawing the step (a loaded machine) is lost, as
 * it would be for a user, who does it again.
 */
async function actUntilSettled<T>(done: Promise<T>, act: () => Promise<void>): Promise<T> {
  let isSettled = false;
  const settled = done.then(() => (isSettled = true));
  for (let attempt = 0; attempt < 3 && !isSettled; attempt++) {
    await act().catch((err: unknown) => {
      if (!isSettled) throw err; // nothing left to act on because the call just settled: fine
    });
    await Promise.race([settled, new Promise((r) => setTimeout(r, 5000))]);
  }
  return done;
}
/** The suggestions the server made (completion/complete) in a step, sorted: the quick pick orders them itself. */
const suggested = (q: QuickInput) =>
  q.items
    .filter((i) => i.description === 'suggested by the server')
    .map((i) => i.label)
    .sort()
    .join(', ');
const type = (text: string) => workbench.fill(QUICK_INPUT, text);
const enter = () => workbench.press('Enter', QUICK_INPUT);

function textOf(outcome: CallOutcome | undefined): string {
  const content = (outcome?.result as { content?: { type: string; text?: string }[] } | undefined)?.content ?? [];
  return content
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}

/** The editor whose text contains `text`, once it is the active one. */
function activeEditorWith(text: string): Promise<vscode.TextEditor> {
  return waitFor(() => {
    const editor = vscode.window.activeTextEditor;
    return editor?.document.getText().includes(text) ? editor : undefined;
  }, `an editor showing "${text}"`);
}

/** A child node of a server in the Servers tree (tool, prompt, resource…) by group and name. */
function childNode(serverId: string, group: string, name: string): Promise<TreeNode> {
  const tree = treeProvider();
  return waitFor(() => {
    const node = serverNode(serverId);
    const g = node && tree.getChildren(node).find((n) => n.kind === 'group' && n.group === group);
    return (
      g &&
      tree.getChildren(g).find((n) => {
        const label = tree.getTreeItem(n).label;
        return (typeof label === 'string' ? label : label?.label) === name;
      })
    );
  }, `${group} ${name} of ${serverId} in the tree`);
}

/** The test's chat model provider, registered with the real API by the test vendor extension. */
interface TestLm {
  register(provider: unknown): vscode.Disposable;
}

/**
 * Registers the test's chat model ("Echo Small", which answers "A small model read: <last message>") with the
 * real vscode.lm API under the test vendor extension's name; what it was sent goes into `prompts`.
 */
async function registerTestModel(prompts: string[]): Promise<vscode.Disposable> {
  const lmExt = vscode.extensions.getExtension<TestLm>('mcp-doctor-test.lm-provider');
  assert.ok(lmExt, 'the test vendor extension is loaded');
  const lm = await lmExt.activate();
  const registration = lm.register({
    provideLanguageModelChatInformation: async () => [
      {
        id: 'echo-small',
        name: 'Echo Small',
        family: 'echo',
        version: '1',
        maxInputTokens: 8192,
        maxOutputTokens: 512,
        capabilities: {},
      },
    ],
    provideLanguageModelChatResponse: async (
      _model: unknown,
      messages: readonly { content: readonly { value?: unknown }[] }[],
      _options: unknown,
      progress: vscode.Progress<vscode.LanguageModelTextPart>,
    ) => {
      const said = messages.map((m) => m.content.map((p) => (typeof p.value === 'string' ? p.value : '')).join(''));
      prompts.push(...said);
      progress.report(new vscode.LanguageModelTextPart(`A small model read: ${said[said.length - 1]}`));
    },
    provideTokenCount: async (_model: unknown, text: unknown) => String(text).length,
  });
  // MCP Doctor asks for every model (no selector): wait until that answer has it too.
  await waitFor(
    async () =>
      (await vscode.lm.selectChatModels({ vendor: 'mcp-doctor-test' })).length > 0 &&
      (await vscode.lm.selectChatModels()).some((m) => m.vendor === 'mcp-doctor-test'),
    'the model',
  );
  return registration;
}

describe('Client features in both protocol eras: elicitation, sampling, roots, completions, subscriptions', function () {
  this.timeout(180000);
  let api: DoctorTestApi;
  let features: ServerConfig;

  before(async () => {
    api = await activateDoctor();
    api.setAutoApprove(true);
    features = await demoServer(api, 'features');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await api.sessions.stopAll();
    api.setAutoApprove(false);
  });

  /** Starts (or restarts) the features server in an era and checks what the tree and terminal say. */
  async function startIn(era: '2025' | 'auto', expect: '2025' | '2026', server = features): Promise<void> {
    const view = (await vscode.commands.executeCommand<SessionView>(
      'mcpDoctor.restartServerInEra',
      { serverId: server.id },
      era,
    ))!;
    assert.equal(view.state.kind, 'running', JSON.stringify(view.state));
    const tree = treeProvider();
    const node = await waitFor(() => {
      const n = serverNode(server.id);
      return n && String(tree.getTreeItem(n).description).includes(`running, ${expect} era`) ? n : undefined;
    }, `the tree to show the ${expect} era`);
    const item = tree.getTreeItem(node);
    const tooltip = (await tree.resolveTreeItem(item, node)).tooltip as vscode.MarkdownString;
    if (expect === '2025') assert.match(tooltip.value, /ping \d+(\.\d+)? ms/, 'ping latency on hover');
    else assert.match(tooltip.value, /ping: not in the 2026-07-28 era/);
    if (era === '2025') assert.match(tooltip.value, /started in the 2025 era on request/);
    const terminal = (await vscode.commands.executeCommand<{ text: string }>('mcpDoctor.showTerminal', {
      serverId: server.id,
    }))!;
    assert.match(
      terminal.text,
      expect === '2025'
        ? /initialized in \d+ ms \(protocol 2025-11-25, 2025 era/
        : /discovered in \d+ ms \(protocol 2026-07-28, 2026 era/,
    );
  }

  /** The features server running in this era (restarted only when it is not). */
  async function ensureEra(era: '2025' | '2026'): Promise<void> {
    const state = api.sessions.get(features.id)?.state;
    if (state?.kind === 'running' && state.era === era) return;
    await startIn(era === '2025' ? '2025' : 'auto', era);
  }

  /** Calls a tool; the returned promise settles when the call ends. */
  function call(
    toolName: string,
    args: Record<string, unknown> = {},
    serverId = features.id,
  ): Promise<CallOutcome | undefined> {
    return Promise.resolve(
      vscode.commands.executeCommand<CallOutcome>('mcpDoctor.callTool', { serverId, toolName, args }),
    );
  }

  /** Answers the greet prompt's form, picking the language from what completion/complete suggests for "E". */
  async function completeGreet(server: ServerConfig): Promise<void> {
    const greet = await childNode(server.id, 'prompts', 'greet');
    const prompt = await answerForm('mcpDoctor.getPrompt', greet, 'name', async () => {
      await type('Ada');
      await step('name', (q) => q.items.some((i) => i.label === 'Ada'));
      await enter();
      await step('language');
      // completion/complete suggestions follow what is typed.
      await type('E');
      await step('language', (q) => suggested(q) === 'English, Esperanto');
      await type('Esp');
      await step('language', (q) => suggested(q) === 'Esperanto');
      await workbench.click('.quick-input-list .monaco-list-row:has-text("Esperanto")');
    });
    assert.match(JSON.stringify(prompt.outcome.result), /Say hello to Ada in Esperanto\./);
  }

  /** Fills the profile form (every field kind the spec allows) as a user does; returns the tool's text. */
  async function answerProfile(tool: string, server = features): Promise<string> {
    const done = call(tool, {}, server.id);
    let q = await step('Email');
    assert.match(q.title, new RegExp(`${server.name} \\(${tool}\\) asks: Your profile\\?: Email`));
    await type('not an email');
    await waitFor(async () => /format/.test((await quickInput()).message), 'the format error under the input');
    await type('ada@example.com');
    await enter();
    q = await step('Size', (s) => s.items.length === 3);
    assert.deepEqual(
      q.items.map((i) => i.label),
      ['Small', 'Medium', 'Large'],
      'a titled enum shows its titles',
    );
    await type('Medium');
    await waitFor(async () => (await quickInput()).items.length === 1, 'the filtered choices');
    await enter();
    await step('Age (optional)');
    await type('200');
    await waitFor(async () => /<= 150/.test((await quickInput()).message), 'the maximum shown');
    await type('36');
    await enter();
    q = await step('Favourite colour (optional)', (s) => s.items.length >= 3);
    assert.ok(q.items.some((i) => i.label === 'green' && i.description.includes('default')));
    await enter(); // the default is the active item
    q = await step('Toppings (optional)', (s) => s.items.length === 3);
    assert.deepEqual(
      q.items.map((i) => [i.label, i.checked]),
      [
        ['cheese', true],
        ['olives', false],
        ['basil', false],
      ],
      'a multi-select starts from its default',
    );
    await enter();
    await step('Newsletter (optional)');
    await enter();
    return textOf(await done);
  }

  it('2025 era: a FastMCP 4 tool elicits a form that is answered; decline and cancel reach the tool', async () => {
    await startIn('2025', '2025');
    assert.equal(
      await answerProfile('profile_request'),
      "profile age=36, color=green, email=ada@example.com, newsletter=False, size=m, toppings=['cheese']",
    );

    let done = call('elicit_request');
    await step('Value');
    assert.equal(textOf(await actUntilSettled(done, () => workbench.click(DECLINE_BUTTON))), 'no name (decline)');
    done = call('elicit_request');
    await step('Value');
    assert.equal(textOf(await actUntilSettled(done, () => workbench.press('Escape', QUICK_INPUT))), 'no name (cancel)');

    // URL mode: the page opens only after consent; the whole URL and its host are shown.
    done = call('connect_request');
    const consent = await step('asks you to open a page: Sign in to the billing service', (q) => q.items.length === 2);
    assert.equal(consent.items[0].label, 'Open billing.example.com');
    await workbench.click('.quick-input-list .monaco-list-row:has-text("Decline")');
    assert.equal(textOf(await done), 'connect: decline');
  });

  it('2025 era: sampling through the response editor, then through a chat model registered with vscode.lm', async () => {
    await ensureEra('2025');
    // Without a chat model (none in this host) the reply is written in the response editor.
    assert.deepEqual(await vscode.lm.selectChatModels(), [], 'no chat model before the test registers one');
    let done = call('sample_request', { topic: 'owls' });
    const editor = await activeEditorWith('Sampling request from "features"');
    const text = editor.document.getText();
    assert.match(text, /> One sentence about owls\./);
    assert.match(text, /Limits: max tokens 50/);
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    await editor.edit((b) => b.insert(end, 'Owls fly without a sound.'));
    await workbench.click('.editor-actions [aria-label^="Send Reply"]');
    assert.equal(textOf(await done), 'model said: Owls fly without a sound.');
    await waitFor(
      () => !vscode.workspace.textDocuments.some((d) => d.getText().includes('Sampling request from "features"')),
      'the response editor to close',
    );

    // A chat model provider, registered with the real API under the test vendor's name.
    const prompts: string[] = [];
    const registration = await registerTestModel(prompts);
    try {
      done = call('sample_request', { topic: 'moths' });
      // The request is shown whole; the title bar offers the model (the consent), per request or always.
      const consent = await activeEditorWith('A chat model can answer: Echo Small (mcp-doctor-test)');
      assert.match(consent.document.getText(), /> One sentence about moths\./);
      assert.match(consent.document.getText(), /Limits: max tokens 50/);
      await workbench.click('.editor-actions [aria-label^="Send to Chat Model"]');
      assert.equal(textOf(await done), 'model said: A small model read: One sentence about moths.');
      assert.ok(prompts.includes('One sentence about moths.'), prompts.join(' | '));

      // Or the model drafts the reply, which the user edits before sending it.
      done = call('sample_request', { topic: 'newts' });
      const draft = await activeEditorWith('One sentence about newts.');
      await vscode.commands.executeCommand('mcpDoctor.draftReply');
      await waitFor(
        () => draft.document.getText().includes('A small model read: One sentence about newts.'),
        'the draft',
      );
      const last = draft.document.lineAt(draft.document.lineCount - 1).range.end;
      await draft.edit((b) => b.insert(last, ' Checked by a person.'));
      await workbench.click('.editor-actions [aria-label^="Send Reply"]');
      assert.equal(
        textOf(await done),
        'model said: A small model read: One sentence about newts. Checked by a person.',
      );
    } finally {
      registration.dispose();
    }
  });

  it('2025 era: roots are the workspace folders; prompt and template forms show completions; the log level filters', async () => {
    await ensureEra('2025');
    const roots = textOf(await call('roots_request'));
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString());
    assert.equal(roots, `roots: ${folders.join(', ')}`);

    await completeGreet(features);

    const template = await childNode(features.id, 'resourceTemplates', 'doc');
    const read = await answerForm('mcpDoctor.readResource', template, 'doc://{topic}', async () => {
      await type('in');
      await step('doc://{topic}', (q) => suggested(q) === 'install, intro');
      await workbench.click('.quick-input-list .monaco-list-row:has-text("install")');
    });
    assert.match(JSON.stringify(read.outcome.result), /Documentation about install\./);

    const level = await vscode.commands.executeCommand<{ ok: boolean }>(
      'mcpDoctor.setLogLevel',
      { serverId: features.id },
      'warning',
    );
    assert.deepEqual(level, { ok: true });
    await call('chatty');
    const terminal = await waitFor(async () => {
      const t = (await vscode.commands.executeCommand<{ text: string }>('mcpDoctor.showTerminal', features.id))!;
      return t.text.includes('an error line') ? t.text : undefined;
    }, 'the log lines in the terminal');
    assert.match(terminal, /\[warning\] .*a warning line/);
    assert.doesNotMatch(terminal, /a debug line|an info line/, 'below the level: not sent');
  });

  it('remembers the last arguments of a tool; a replay from the trace can be edited before it is sent', async () => {
    const echo = await childNode(features.id, 'tools', 'echo');
    const typed = await answerForm('mcpDoctor.callTool', echo, 'text', async () => {
      await type('first');
      await enter();
    });
    assert.equal(textOf(typed.outcome), 'echo: first');
    const remembered = (q: QuickInput) => q.items.some((i) => i.description === 'used before, or an example');
    const again = await answerForm('mcpDoctor.callTool', echo, 'text', enter, remembered);
    assert.equal(again.first.value, 'first', 'the form starts from the last arguments');
    assert.deepEqual(again.first.items[0], {
      label: 'first',
      description: 'used before, or an example',
      checked: null,
    });
    assert.equal(textOf(again.outcome), 'echo: first');

    await vscode.commands.executeCommand('mcpDoctor.openTrace', { serverId: features.id, tool: 'echo' });
    const view = await webview('.trace .toolbar');
    await view.fill('input.search', 'first');
    await waitFor(
      async () => (await view.visibleRows('.rows .row', '.list')).some((r) => r.cells[2] === 'tools/call'),
      'the echo call in the trace',
    );
    await view.click('.rows .row:has-text("tools/call") >> nth=-1');
    await view.click('button.edit-replay');
    await view.fill('textarea.replay-params', JSON.stringify({ name: 'echo', arguments: { text: 'edited' } }));
    await view.click('button.send-replay');
    await waitFor(async () => (await view.text('.replay')).includes('echo: edited'), 'the edited replay result');
  });

  it('a form of several fields stays open, with what was typed, while another view takes the focus', async () => {
    const greet = await childNode(features.id, 'prompts', 'greet');
    const prompt = await answerForm('mcpDoctor.getPrompt', greet, 'name', async () => {
      await type('Ada');
      await enter();
      await step('language', (q) => q.focused);
      await vscode.commands.executeCommand('mcpDoctor.showTerminal', features.id);
      await waitFor(async () => !(await quickInput()).focused, 'the focus gone from the form to the terminal');
      const q = await quickInput();
      assert.ok(q.visible && q.title.includes('language'), `the form is still open: ${JSON.stringify(q)}`);
      await workbench.click(QUICK_INPUT); // the user clicks back into it
      await type('English');
      await enter();
    });
    assert.match(JSON.stringify(prompt.outcome.result), /Say hello to Ada in English\./);
    await vscode.commands.executeCommand('workbench.action.closePanel'); // the trace tests need the room
  });

  it('2025 era in the trace: the elicitation request and its answer are paired, with latency, under the call', async () => {
    const view = await traceFor('elicitation/create');
    const rows = await view.visibleRows('.rows .row', '.list');
    const ask = rows.find((r) => r.cells[2] === 'elicitation/create');
    assert.ok(ask, rows.map((r) => r.cells.join(' ')).join('\n'));
    assert.match(ask.cells[1], /←/, 'server → client');
    assert.match(ask.cells[4], /\d/, 'with latency');
    await clickRow(view, 'elicitation/create', 'first');
    await waitFor(
      async () => (await view.text('.detail .parent')).includes('tools/call'),
      'the call it belongs to',
    ).catch(async (err) =>
      assert.fail(`${String(err)}; the detail shows ${(await view.text('.detail')).slice(0, 600)}`),
    );
    const titles = await view.eval((_: null, doc: PageDocument) =>
      [...doc.querySelectorAll('.detail .col-title')].map((t) => t.textContent ?? ''),
    );
    assert.ok(titles[0].startsWith('Server request') && titles[1].startsWith('Client response'), titles.join(' | '));
    assert.match(await view.text('.detail .detail-body'), /"action": "accept"/, 'the answer beside the request');
  });

  it('2026-07-28 era: the same form answers an input_required round, sampling and roots too, paired in the trace', async () => {
    await startIn('auto', '2026');
    assert.equal(
      await answerProfile('profile_guard'),
      "profile age=36, color=green, email=ada@example.com, newsletter=False, size=m, toppings=['cheese']",
    );
    const done = call('sample_guard', { topic: 'bats' });
    const editor = await activeEditorWith('Sampling request from "features"');
    assert.match(editor.document.getText(), /\*\*System prompt\*\*\n\n> Answer in one sentence\./);
    assert.match(editor.document.getText(), /Model preferences: models like small, speed 0\.8/);
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    await editor.edit((b) => b.insert(end, 'Bats see with sound.'));
    await vscode.commands.executeCommand('mcpDoctor.sendReply');
    assert.equal(textOf(await done), 'model said: Bats see with sound.');
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString());
    assert.equal(textOf(await call('roots_guard')), `roots: ${folders.join(', ')}`);
    const level = await vscode.commands.executeCommand<{ ok: boolean; reason?: string }>(
      'mcpDoctor.setLogLevel',
      { serverId: features.id },
      'warning',
    );
    assert.match(level?.reason ?? '', /2026-07-28 revision removed `logging\/setLevel`/);

    const view = await traceFor('input_required');
    await clickRow(view, 'input_required: elicitation/create', 'last');
    let shown = '';
    const pair = await waitFor(async () => {
      shown = await view.text('.detail');
      const t = await view.text('.input-pair');
      return t.includes('answered in') ? t : undefined;
    }, 'the input requests beside their answers').catch((err) =>
      assert.fail(`${String(err)}; the detail shows ${shown.slice(0, 600)}`),
    );
    assert.match(pair, /Asked \(inputRequests\)/);
    assert.match(pair, /Answered \(inputResponses\)/);
    assert.match(pair, /"email": "ada@example\.com"/);
  });

  for (const era of ['2025', 'auto'] as const) {
    it(`mcp 2 server, ${era === '2025' ? '2025' : '2026-07-28'} era: a subscribed resource's update appears live`, async () => {
      const counter = await demoServer(api, 'counter');
      const view = (await vscode.commands.executeCommand<SessionView>(
        'mcpDoctor.restartServerInEra',
        { serverId: counter.id },
        era,
      ))!;
      assert.equal(view.state.kind, 'running', JSON.stringify(view.state));
      const tree = treeProvider();
      const resource = await childNode(counter.id, 'resources', 'value');
      assert.equal(tree.getTreeItem(resource).contextValue, 'resource');
      const sub = await vscode.commands.executeCommand<{ ok: boolean }>('mcpDoctor.subscribeResource', resource);
      assert.deepEqual(sub, { ok: true });
      const read = await vscode.commands.executeCommand<CallOutcome>('mcpDoctor.readResource', resource);
      const results = await resultView('counter');
      const before = /count (\d+)/.exec(JSON.stringify(read?.result))?.[1];
      await shows(results, 'counter://value', `count ${before}`);
      const bumped = await vscode.commands.executeCommand<CallOutcome>('mcpDoctor.callTool', {
        serverId: counter.id,
        toolName: 'bump',
        args: {},
      });
      const after = /count (\d+)/.exec(textOf(bumped))?.[1];
      assert.equal(Number(after), Number(before) + 1);
      // The update notification makes MCP Doctor read the resource again into the result view
      // (before or after the bump's own record): the newest counter://value record shows the new value.
      const reads = () =>
        results.eval(
          (_: null, doc: PageDocument) =>
            [...doc.querySelectorAll('.history-item .h-name')].filter((n) => n.textContent === 'counter://value')
              .length,
          null,
        );
      await waitFor(async () => (await reads()) >= 2, 'the resource read again after the update');
      await results.click('.history-item:has(.h-name:text-is("counter://value")) >> nth=0');
      await shows(results, 'counter://value', `count ${after}`);
      await waitFor(() => {
        const node = tree.getChildren(tree.getParent(resource)!).find((n) => n.kind === 'resource');
        const item = node && tree.getTreeItem(node);
        return item?.contextValue === 'resource.subscribed' && /subscribed · 1 update/.test(String(item.description));
      }, 'the tree to show the update');
      await vscode.commands.executeCommand('mcpDoctor.stopServer', counter.id);
    });
  }

  /** Writes the reply into the response editor of the server's sampling request and sends it. */
  async function replyInEditor(server: ServerConfig, topic: string, reply: string): Promise<void> {
    const editor = await activeEditorWith(`Sampling request from "${server.name}"`);
    assert.match(editor.document.getText(), new RegExp(`> One sentence about ${topic}\\.`));
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    await editor.edit((b) => b.insert(end, reply));
    await workbench.click('.editor-actions [aria-label^="Send Reply"]');
  }

  describe('FastMCP 4 over Streamable HTTP: stateful in the 2025 era, --stateless in the 2026-07-28 era', () => {
    const children: ChildProcess[] = [];
    let dir: string;
    let stateful: ServerConfig;
    let stateless: ServerConfig;

    before(async () => {
      const root = workspaceRoot();
      const repo = path.resolve(root, '..', '..', '..', '..');
      const servers: Record<string, unknown> = {};
      for (const [name, extra] of [
        ['features-stateful', []],
        ['features-stateless', ['--stateless']],
      ] as const) {
        const port = await freePort();
        const child = spawn(
          path.join(repo, '.venv', 'bin', 'python'),
          [path.join(repo, 'test', 'fixtures', 'servers', 'py', 'features.py'), '--http', String(port), ...extra],
          { stdio: 'ignore', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
        );
        children.push(child);
        const url = `http://127.0.0.1:${port}/mcp`;
        await waitFor(
          () =>
            fetch(url).then(
              () => true,
              () => false,
            ),
          `${name} listening on ${url}`,
          30000,
        );
        servers[name] = { type: 'http', url };
      }
      dir = path.join(root, 'http-features');
      fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
      fs.writeFileSync(path.join(dir, '.vscode', 'mcp.json'), JSON.stringify({ servers }, null, 2));
      await api.config.refresh();
      stateful = await demoServer(api, 'features-stateful');
      stateless = await demoServer(api, 'features-stateless');
    });

    after(async () => {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      for (const s of [stateful, stateless]) if (s) await api.sessions.stop(s.id);
      for (const child of children) child.kill();
      fs.rmSync(dir, { recursive: true, force: true });
      await api.config.refresh();
    });

    it('stateful, 2025 era: ctx.elicit form answered, sampling replied in the editor, roots, completions', async () => {
      await startIn('2025', '2025', stateful);
      let done = call('elicit_request', {}, stateful.id);
      const q = await step('Value');
      assert.match(q.title, /features-stateful \(elicit_request\) asks: Your name\?/);
      await type('Grace');
      await enter();
      assert.equal(textOf(await done), 'hello Grace');

      done = call('sample_request', { topic: 'larks' }, stateful.id);
      await replyInEditor(stateful, 'larks', 'Larks sing at dawn.');
      assert.equal(textOf(await done), 'model said: Larks sing at dawn.');

      const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString());
      assert.equal(textOf(await call('roots_request', {}, stateful.id)), `roots: ${folders.join(', ')}`);
      await completeGreet(stateful);
    });

    it('--stateless, 2026-07-28 era: input_required rounds answered by the form and the editor, roots, completions', async () => {
      await startIn('auto', '2026', stateless);
      assert.equal(
        await answerProfile('profile_guard', stateless),
        "profile age=36, color=green, email=ada@example.com, newsletter=False, size=m, toppings=['cheese']",
      );

      let done = call('sample_guard', { topic: 'wrens' }, stateless.id);
      await replyInEditor(stateless, 'wrens', 'Wrens are small and loud.');
      assert.equal(textOf(await done), 'model said: Wrens are small and loud.');
      // With a chat model registered through vscode.lm, the same input request is answered by it after consent.
      const prompts: string[] = [];
      const registration = await registerTestModel(prompts);
      try {
        done = call('sample_guard', { topic: 'moles' }, stateless.id);
        const consent = await activeEditorWith('A chat model can answer: Echo Small (mcp-doctor-test)');
        assert.match(consent.document.getText(), /> One sentence about moles\./);
        await workbench.click('.editor-actions [aria-label^="Send to Chat Model"]');
        assert.equal(textOf(await done), 'model said: A small model read: One sentence about moles.');
        assert.ok(prompts.includes('One sentence about moles.'), prompts.join(' | '));
      } finally {
        registration.dispose();
      }

      const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString());
      assert.equal(textOf(await call('roots_guard', {}, stateless.id)), `roots: ${folders.join(', ')}`);
      await completeGreet(stateless);
    });
  });

  /**
   * Selects the first or last recorded message of the features server whose row reads `label`,
   * as "show in trace" does (the panel's reveal), and waits until the view marks that row selected.
   */
  async function clickRow(view: BrowserFrame, label: string, which: 'first' | 'last'): Promise<void> {
    const live = api.trace.hub.all().filter((x) => x.serverId === features.id && x.live);
    const session = live[live.length - 1];
    assert.ok(session, 'a live trace session of features');
    const seqs = [...session.recorder.entries()]
      .filter((e) =>
        label.startsWith('input_required')
          ? e.shape === 'response' &&
            JSON.stringify(e.msg).includes('"input_required"') &&
            JSON.stringify(e.msg).includes(`"${label.slice('input_required: '.length)}"`)
          : e.method === label && e.shape === 'request',
      )
      .map((e) => e.seq);
    assert.ok(seqs.length, `a ${label} message in the trace`);
    api.trace.openPanel!.reveal(undefined, {
      sx: session.sx,
      seq: which === 'first' ? seqs[0] : seqs[seqs.length - 1],
    });
    await waitFor(
      async () =>
        (await view.eval(
          (_: null, doc: PageDocument) => doc.querySelector('.rows .row.selected')?.children[2]?.textContent ?? '',
          null,
        )) === label,
      `the ${label} row selected`,
    );
  }

  /** The trace view filtered to the features server and searched for `text`. */
  async function traceFor(text: string): Promise<BrowserFrame> {
    await vscode.commands.executeCommand('mcpDoctor.openTrace', { serverId: features.id });
    const view = await webview('.trace .toolbar');
    await waitFor(() => tracePanelReady(api), 'the trace view to be ready');
    // A snapshot arriving after the view opened may reset the search: type it again until it holds.
    let seen = '';
    await waitFor(async () => {
      const typed = await view.eval(
        (_: null, doc: PageDocument) => (doc.querySelector('input.search') as unknown as { value: string }).value,
        null,
      );
      if (typed !== text) await view.fill('input.search', text);
      const rows = await view.visibleRows('.rows .row', '.list');
      seen = rows.map((r) => r.cells.join(' | ')).join('\n');
      return rows.some((r) => r.cells.some((c) => c.includes(text)));
    }, `rows with ${text} in the trace`).catch((err) => assert.fail(`${String(err)}; the rows: ${seen.slice(0, 800)}`));
    return view;
  }
});

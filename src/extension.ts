import * as vscode from 'vscode';
import { TestSeams, type DoctorTestApi } from './testApi';
import { registerConfig } from './vscode/config/configController';
import { registerDebug } from './vscode/debug/index';
import { registerRules } from './vscode/rules/index';
import { registerSessions } from './vscode/session/index';
import type { SessionManager } from './vscode/session/sessionManager';
import { registerTrace } from './vscode/trace/index';
import { registerTree } from './vscode/tree/index';

/** The session manager of the active extension, so `deactivate` can wait for its servers. */
let activeSessions: SessionManager | undefined;

/**
 * Composition root. Builds the areas in dependency order (config ← trace ← sessions ← tree,
 * rules ← debug), each given what it needs as arguments. Each area registers its commands and providers
 * synchronously and loads its heavy parts (SDK, parsers, grammars) only when first used.
 * Returns the test API in `ExtensionMode.Test` only.
 */
export function activate(context: vscode.ExtensionContext): DoctorTestApi | undefined {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('MCP Doctor', { log: true });
  context.subscriptions.push(log);
  const seams = context.extensionMode === vscode.ExtensionMode.Test ? new TestSeams() : undefined;
  const timings: string[] = [];
  const timed = <T>(name: string, build: () => T): T => {
    const t0 = performance.now();
    const built = build();
    timings.push(`${name} ${(performance.now() - t0).toFixed(1)}`);
    return built;
  };

  const config = timed('config', () => registerConfig({ context, log }));
  const trace = timed('trace', () => registerTrace({ context, log, config }, seams?.ipc));
  const { manager: sessions, signIns } = timed('sessions', () =>
    registerSessions({ context, log, config, trace }, seams?.wrapPrompts, seams?.opener),
  );
  const tree = timed('tree', () => registerTree({ context, config, sessions }));
  const tools = timed('rules', () => registerRules({ context, log, config, sessions }));
  timed('debug', () => registerDebug({ context, log, config, sessions, tools }));
  activeSessions = sessions;

  const activationMs = performance.now() - started;
  log.info(`activated in ${activationMs.toFixed(1)} ms (${timings.join(', ')})`);
  return seams?.api({
    activationMs,
    context,
    config,
    sessions,
    signIns,
    trace,
    tree: tree.provider,
    treeView: tree.view,
  });
}

/** Waits until every server process is gone, so none outlives the extension host. */
export async function deactivate(): Promise<void> {
  const sessions = activeSessions;
  activeSessions = undefined;
  await sessions?.stopAll();
}

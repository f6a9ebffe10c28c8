import * as vscode from 'vscode';
import { registerConfig } from './vscode/config/configController';
import { registerRules } from './vscode/rules/index';
import { registerSessions } from './vscode/session/index';
import { registerTrace } from './vscode/trace/index';
import { registerTree } from './vscode/tree/index';
import type { Services } from './vscode/services';

/** What `activate` returns; integration tests use it to reach the live services. */
export interface DoctorApi {
  readonly services: Services;
  /** Wall time of `activate()` itself, in ms (reported by the activation benchmark). */
  readonly activationMs: number;
}

/**
 * Composition root. Each area registers its commands and providers synchronously and
 * loads its heavy parts (SDK, parsers, grammars) only when first used.
 */
let activeServices: Services | undefined;

export function activate(context: vscode.ExtensionContext): DoctorApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('MCP Doctor', { log: true });
  context.subscriptions.push(log);
  const services = { context, log } as Services;
  activeServices = services;
  const timings: string[] = [];
  const timed = (name: string, register: (s: Services) => void) => {
    const t0 = performance.now();
    register(services);
    timings.push(`${name} ${(performance.now() - t0).toFixed(1)}`);
  };
  timed('config', registerConfig);
  timed('trace', registerTrace);
  timed('sessions', registerSessions);
  timed('tree', registerTree);
  timed('rules', registerRules);
  const activationMs = performance.now() - started;
  log.info(`activated in ${activationMs.toFixed(1)} ms (${timings.join(', ')})`);
  return { services, activationMs };
}

/** Waits until every server process is gone, so none outlives the extension host. */
export async function deactivate(): Promise<void> {
  const sessions = activeServices?.sessions as { stopAll?: () => Promise<unknown> } | undefined;
  activeServices = undefined;
  await sessions?.stopAll?.();
}

import * as vscode from 'vscode';
import type { Services } from '../services';

/** Placeholder: the config area is being built. */
export function registerConfig(services: Services): void {
  const changed = new vscode.EventEmitter<void>();
  services.context.subscriptions.push(changed);
  services.config = {
    files: [],
    servers: [],
    onDidChange: changed.event,
    refresh: async () => changed.fire(),
    resolveForLaunch: async (server) => server,
  };
}

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerConfig } from '../../core/config/types';
import { ConsentStore } from './consent';

/**
 * The questions launching a server asks the user. The session area asks through this
 * interface only, so the composition root can decide how they are answered (the extension's
 * Test mode wraps them so integration tests can pre-approve launches).
 */
export interface LaunchPrompts {
  /**
   * May this exact launch run (command line, env, envFile; URL and headers for a remote server)?
   * Asked once per launch, remembered per workspace. `listed` is the entry as written in the file.
   */
  allowLaunch(server: ServerConfig, listed?: ServerConfig): Promise<boolean>;
  /** Start a server that its config marks disabled? */
  startDisabled(server: ServerConfig): Promise<boolean>;
  /** No running server has `toolName`: start `server` to call it? */
  startForTool(server: ServerConfig, toolName: string): Promise<boolean>;
  /** Forgets every remembered launch approval; returns how many there were. */
  resetApprovals(): Promise<number>;
}

/** The prompts as users see them: modal consent, warnings and notifications. */
export class UiLaunchPrompts implements LaunchPrompts {
  private readonly consent: ConsentStore;

  constructor(workspaceState: vscode.Memento) {
    this.consent = new ConsentStore(workspaceState);
  }

  allowLaunch(server: ServerConfig, listed?: ServerConfig): Promise<boolean> {
    return this.consent.ensure(server, listed);
  }

  async startDisabled(server: ServerConfig): Promise<boolean> {
    const choice = await vscode.window.showWarningMessage(
      `"${server.name}" is disabled in ${path.basename(server.file)}.`,
      'Start anyway',
    );
    return choice === 'Start anyway';
  }

  async startForTool(server: ServerConfig, toolName: string): Promise<boolean> {
    const choice = await vscode.window.showInformationMessage(
      `No running server has the tool "${toolName}". Start "${server.name}"?`,
      'Start server',
    );
    return choice === 'Start server';
  }

  resetApprovals(): Promise<number> {
    return this.consent.reset();
  }
}

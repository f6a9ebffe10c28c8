import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import type { ServerConfig } from '../../core/config/types';
import { redactText } from '../../core/session/report';
import { formatCommandLine, redactEnv } from '../redact';

const STATE_KEY = 'mcpDoctor.launchConsents';

/**
 * Remembers which exact command lines (command, args, cwd) the user allowed to run, per
 * workspace. Only digests are stored, so arguments that carry secrets never reach disk.
 */
export class ConsentStore {
  constructor(private readonly state: vscode.Memento) {}

  /** Asks once per command line; true when the server may be launched. */
  async ensure(server: ServerConfig): Promise<boolean> {
    if (server.transport !== 'stdio' && !server.command) return true; // nothing is executed locally
    const key = consentKey(server);
    if (this.approved().includes(key)) return true;
    const env = redactEnv(server.env);
    const detail = [
      // Token-shaped values (from inputs or typed inline) are masked; everything else is exact.
      `Command: ${redactText(formatCommandLine(server.command ?? '', server.args ?? []))}`,
      `Working directory: ${server.cwd ?? server.workspaceFolder ?? '(extension host default)'}`,
      env.length ? `Environment: ${env.join(' ')}` : 'Environment: (inherited only)',
      `Config: ${server.file}`,
      '',
      'The server runs with your permissions. Start it only if you trust this command.',
    ].join('\n');
    const choice = await vscode.window.showWarningMessage(
      `Start MCP server "${server.name}"?`,
      { modal: true, detail },
      'Start server',
    );
    if (choice !== 'Start server') return false;
    await this.state.update(STATE_KEY, [...this.approved(), key]);
    return true;
  }

  /** Forgets every remembered consent; returns how many there were. */
  async reset(): Promise<number> {
    const count = this.approved().length;
    await this.state.update(STATE_KEY, undefined);
    return count;
  }

  private approved(): string[] {
    const value = this.state.get<unknown>(STATE_KEY);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }
}

/** Digest of the exact command line; a changed command, argument or cwd asks again. */
export function consentKey(server: ServerConfig): string {
  const line = JSON.stringify([server.command ?? '', server.args ?? [], server.cwd ?? '', server.url ?? '']);
  return createHash('sha256').update(line).digest('hex');
}

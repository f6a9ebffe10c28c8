import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import type { ServerConfig } from '../../core/config/types';
import { redactText } from '../../core/session/report';
import { formatCommandLine, redactEnv } from '../redact';

const STATE_KEY = 'mcpDoctor.launchConsents';

/**
 * Remembers which exact launches the user allowed, per workspace: for a local process its
 * command, arguments, working directory, env (names and values), `envFile`; for a remote server
 * its URL and headers. Only digests are stored, so values that carry secrets never reach disk.
 * Any change (an added `NODE_OPTIONS`, a registry variable, another `envFile`, a header) asks
 * again.
 */
export class ConsentStore {
  constructor(private readonly state: vscode.Memento) {}

  /**
   * Asks once per exact launch; true when the server may be launched. `listed` is the config as
   * written (before variables were resolved): its env and header values are what is hashed, so
   * a prompted `${input:…}` or a rotated token does not ask again, but an edit of the file does.
   */
  async ensure(server: ServerConfig, listed?: ServerConfig): Promise<boolean> {
    const key = consentKey(server, listed);
    if (this.approved().includes(key)) return true;
    const remote = !server.command && !!server.url;
    const env = redactEnv(server.env);
    const headers = Object.keys(server.headers ?? {});
    const detail = remote
      ? [
          `URL: ${redactText(server.url ?? '')}`,
          headers.length ? `Headers sent: ${headers.join(', ')} (values hidden)` : 'Headers sent: none',
          `Config: ${server.file}`,
          '',
          'Values from your environment and inputs that the config puts into the URL or headers are sent to this address. Connect only if you trust it.',
        ]
      : [
          // Token-shaped values (from inputs or typed inline) are masked; everything else is exact.
          `Command: ${redactText(formatCommandLine(server.command ?? '', server.args ?? []))}`,
          `Working directory: ${server.cwd ?? server.workspaceFolder ?? '(extension host default)'}`,
          env.length ? `Environment: ${env.join(' ')}` : 'Environment: (inherited only)',
          ...(server.envFile ? [`Env file: ${server.envFile}`] : []),
          `Config: ${server.file}`,
          '',
          'The server runs with your permissions. Start it only if you trust this command.',
        ];
    const action = remote ? 'Connect' : 'Start server';
    const choice = await vscode.window.showWarningMessage(
      remote ? `Connect to MCP server "${server.name}"?` : `Start MCP server "${server.name}"?`,
      { modal: true, detail: detail.join('\n') },
      action,
    );
    if (choice !== action) return false;
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

/**
 * Digest of everything that decides what a launch runs or where it connects: command, args,
 * cwd, url, transport, `envFile`, and the env and header entries (sorted; the values of
 * `listed` when given, as written in the file).
 */
export function consentKey(server: ServerConfig, listed?: ServerConfig): string {
  const entries = (o: Record<string, string> | undefined) =>
    Object.entries(o ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const line = JSON.stringify([
    server.command ?? '',
    server.args ?? [],
    server.cwd ?? '',
    server.url ?? '',
    server.transport,
    server.envFile ?? '',
    entries((listed ?? server).env),
    entries((listed ?? server).headers),
  ]);
  return createHash('sha256').update(line).digest('hex');
}

import * as vscode from 'vscode';
import type { AuthRow } from '../../core/auth/authLog';
import { LoopbackRedirect } from '../../core/auth/loopback';
import { authSettingsOf } from '../../core/auth/settings';
import { SignIn } from '../../core/auth/signIn';
import { grantKey, type SecretStore } from '../../core/auth/store';
import { BrowserUserAgent } from '../../core/auth/userAgent';
import type { ServerConfig } from '../../core/config/types';

/** The loopback port of the redirect URI, like VS Code's own MCP sign-in (`oauth.callbackPort` overrides it). */
const DEFAULT_CALLBACK_PORT = 33418;
/** How long the browser may take. */
const SIGN_IN_TIMEOUT_MS = 5 * 60 * 1000;

/** Shows the sign-in page: `openExternal` for users; the integration tests drive a tab of the host's browser. */
export type BrowserOpener = (url: string) => Promise<void>;

export const openExternal: BrowserOpener = async (url) => {
  await vscode.env.openExternal(vscode.Uri.parse(url, true));
};

/** Tokens and client registrations in VS Code's SecretStorage (one JSON record per server URL). */
class SecretStorageStore implements SecretStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}
  async get(key: string): Promise<string | undefined> {
    return this.secrets.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    await this.secrets.store(key, value);
  }
  async delete(key: string): Promise<void> {
    await this.secrets.delete(key);
  }
}

interface Entry {
  url: string;
  name: string;
  signIn: SignIn;
  rows: vscode.Disposable;
}

/**
 * The sign-ins of the extension: one `SignIn` per server (kept across restarts, so a token is
 * reused), its state in SecretStorage, the browser through `openExternal` and a loopback
 * redirect. Feeds the Sign-in view (the auth debugger) and answers "Sign Out".
 */
export class SignIns implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly store: SecretStorageStore;
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the server id whose sign-in rows or state changed. */
  readonly onDidChange = this.changed.event;

  constructor(
    secrets: vscode.SecretStorage,
    private readonly open: BrowserOpener,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.store = new SecretStorageStore(secrets);
  }

  /** The sign-in of an HTTP server (created on first use; replaced when its URL changed). */
  forServer(listed: ServerConfig, resolved: ServerConfig): SignIn | undefined {
    const url = resolved.url;
    if (!url) return undefined;
    const existing = this.entries.get(listed.id);
    if (existing && existing.url === url) return existing.signIn;
    if (existing) this.drop(listed.id);
    const settings = authSettingsOf(resolved.raw);
    const loopback = new LoopbackRedirect(settings.callbackPort ?? DEFAULT_CALLBACK_PORT);
    const signIn = new SignIn({
      settings,
      store: this.store,
      loopback,
      clientName: 'MCP Doctor (VS Code)',
      timeoutMs: SIGN_IN_TIMEOUT_MS,
      userAgent: new BrowserUserAgent(async (authUrl) => {
        this.log.info(`${listed.name}: sign-in opened in the browser (${authUrl.origin}${authUrl.pathname})`);
        void vscode.window.setStatusBarMessage(`$(key) MCP Doctor: sign in to ${listed.name} in the browser`, 30000);
        await this.open(authUrl.href);
      }, loopback),
    });
    const rows = signIn.log.onDidAdd(() => this.changed.fire(listed.id));
    this.entries.set(listed.id, { url, name: listed.name, signIn, rows: { dispose: rows.dispose } });
    return signIn;
  }

  /** Servers with a sign-in, for the view: id, name, URL and the debugger rows. */
  list(): { id: string; name: string; url: string; rows: readonly AuthRow[]; status: string }[] {
    return [...this.entries].map(([id, e]) => ({
      id,
      name: e.name,
      url: e.url,
      rows: e.signIn.log.rows,
      status: e.signIn.status,
    }));
  }

  /** Forgets a server's tokens and client registration (SecretStorage too). True when something was stored. */
  async signOut(server: ServerConfig): Promise<boolean> {
    const entry = this.entries.get(server.id);
    const url = entry?.url ?? server.url;
    if (!url) return false;
    const had = (await this.store.get(grantKey(url))) !== undefined;
    if (entry) await entry.signIn.signOut();
    await this.store.delete(grantKey(url));
    this.changed.fire(server.id);
    return had;
  }

  /** The SecretStorage key of a server's sign-in (tests check it is gone after "Sign Out"). */
  secretKey(url: string): string {
    return grantKey(url);
  }

  private drop(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    e.rows.dispose();
    void e.signIn.dispose();
  }

  dispose(): void {
    for (const id of [...this.entries.keys()]) this.drop(id);
    this.changed.dispose();
  }
}

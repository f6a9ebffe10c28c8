import type { ConnectionAuth, PreparedAuth } from '../session/connectionTypes';
import type { Keyed, Subject } from '../session/diagnosis';
import { diagnoseSignIn, type SignInFailure } from '../session/authDiagnosis';
import {
  authErrorKind,
  crossAppAccessProvider,
  errorText,
  finishAuthorization,
  fromAuthFlow,
  type FetchLike,
  type OAuthClientProvider,
  type Transport,
} from '../session/sdk';
import { now } from '../trace/types';
import { AuthLog, type AuthRow } from './authLog';
import type { LoopbackRedirect } from './loopback';
import { KnownSecrets, maskUrl } from './mask';
import { DoctorOAuthProvider } from './provider';
import type { AuthSettings } from './settings';
import { grantKey, type SecretStore } from './store';
import type { UserAgent } from './userAgent';

/** Most sign-ins for one operation: the first, then step-ups (the spec asks for a limit). */
const MAX_ROUNDS = 3;
/** Where a headless sign-in says it will be redirected (never contacted: the code is read from the redirect). */
const HEADLESS_REDIRECT = 'http://127.0.0.1:33418/callback';

export interface SignInOptions {
  settings: AuthSettings;
  store: SecretStore;
  userAgent: UserAgent;
  /** The redirect URI listener for a browser sign-in; without it, a fixed loopback URI is used. */
  loopback?: LoopbackRedirect;
  clientName: string;
  /** How long the user has to finish signing in. */
  timeoutMs: number;
  /** Cross-App Access (enterprise-managed authorization) instead of a user sign-in. */
  crossApp?: { clientId: string; clientSecret: string; idpTokenEndpoint: string; idpClientId: string; idToken: string };
}

type SignInState =
  | { kind: 'idle' }
  | { kind: 'waiting-for-user'; url: string }
  | { kind: 'exchanging' }
  | { kind: 'signed-in' }
  | { kind: 'failed'; failure: SignInFailure };

/**
 * Signing in to one OAuth-protected server, per the MCP authorization spec (2025-11-25). The
 * SDK does discovery (RFC 9728, RFC 8414 / OpenID with path insertion), client identity
 * (pre-registered, Client ID Metadata Document, or RFC 7591 registration), PKCE S256, the
 * `resource` indicator, scopes, refresh and step-up; this object takes the user through the
 * authorization URL (a browser, or headless where the server approves by itself), finishes the
 * exchange, bounds the retries, and keeps the debugger's rows (`log`). One per server; it
 * outlives restarts so a sign-in is reused.
 */
export class SignIn implements ConnectionAuth {
  readonly known = new KnownSecrets();
  readonly log = new AuthLog(this.known);
  private provider?: OAuthClientProvider;
  private doctorProvider?: DoctorOAuthProvider;
  private serverUrl = '';
  private state: SignInState = { kind: 'idle' };
  private round?: Promise<boolean>;
  /** The issuer mismatch accepted for a server without protected resource metadata. */
  private issuerWaived?: string;
  private notify: (text: string) => void = () => undefined;
  private onRow: (row: AuthRow) => void = () => undefined;

  constructor(private readonly opts: SignInOptions) {
    this.log.onDidAdd((row) => this.onRow(row));
  }

  get status(): SignInState['kind'] {
    return this.state.kind;
  }

  async prepare(
    url: string,
    notify: (text: string) => void,
    fetchFn: FetchLike,
    onRow: (row: AuthRow) => void,
  ): Promise<PreparedAuth> {
    this.notify = notify;
    this.onRow = onRow;
    this.log.watch(url);
    if (!this.provider || this.serverUrl !== url) {
      this.serverUrl = url;
      const o = this.opts;
      if (o.crossApp) {
        this.known.add(o.crossApp.clientSecret, o.crossApp.idToken);
        this.provider = crossAppAccessProvider({ ...o.crossApp, fetchFn });
      } else {
        const redirect =
          o.settings.grant === 'client_credentials'
            ? undefined
            : o.loopback
              ? await o.loopback.prepare()
              : HEADLESS_REDIRECT;
        const p = new DoctorOAuthProvider(url, o.settings, o.store, this.known, redirect, o.clientName);
        await p.load();
        this.doctorProvider = p;
        this.provider = p;
      }
    }
    this.state = { kind: 'idle' };
    return {
      provider: this.provider,
      listener: this.log,
      known: this.known,
      lenientIssuer: () => this.issuerWaived !== undefined,
    };
  }

  async recover(err: unknown, transport: Transport, round: number): Promise<boolean> {
    // JSON-RPC errors, timeouts, refused connections: not the sign-in's business.
    if (!fromAuthFlow(err)) return false;
    const kind = authErrorKind(err);
    if (
      kind.kind === 'issuer-mismatch' &&
      !this.issuerWaived &&
      !this.log.rows.some((r) => r.step === 'resource-metadata' && r.verdict.level === 'ok')
    ) {
      // 2025-03-26 discovery (no protected resource metadata): the metadata's issuer was not
      // required to equal the server's origin then. Accept it, and say so in a warning.
      this.issuerWaived = kind.message;
      this.notify(
        'sign-in: the authorization server metadata names another issuer (accepted for 2025-03-26 discovery)',
      );
      return true;
    }
    if (kind.kind !== 'unauthorized') {
      this.fail({ kind: 'error', error: err });
      return false;
    }
    if (this.round) return this.round;
    const pending = this.doctorProvider?.pendingAuthorization;
    if (!pending) {
      this.fail({ kind: 'error', error: err });
      return false;
    }
    if (round >= MAX_ROUNDS) {
      this.fail({ kind: 'round-limit', rounds: round, error: err });
      return false;
    }
    const provider = this.doctorProvider!;
    provider.pendingAuthorization = undefined;
    provider.roundActive = true;
    this.round = this.signInRound(pending, transport).finally(() => {
      provider.roundActive = false;
      this.round = undefined;
    });
    return this.round;
  }

  private async signInRound(url: URL, transport: Transport): Promise<boolean> {
    const p = this.doctorProvider!;
    const redirect = p.redirectUrl ?? HEADLESS_REDIRECT;
    this.state = { kind: 'waiting-for-user', url: url.href };
    this.notify(`sign-in: authorization at ${maskUrl(`${url.origin}${url.pathname}`, this.known)}`);
    const ac = new AbortController();
    const timer = setTimeout(
      () => ac.abort(new Error(`nobody finished signing in within ${Math.round(this.opts.timeoutMs / 1000)} s`)),
      this.opts.timeoutMs,
    );
    const t0 = performance.now();
    const ts = now();
    let answer;
    try {
      answer = await this.opts.userAgent.authorize(url, redirect, ac.signal);
    } catch (e) {
      answer = { error: 'timeout', errorDescription: errorText(e) };
    } finally {
      clearTimeout(timer);
    }
    if ('code' in answer) this.known.add(answer.code);
    this.log.add({
      ts,
      step: 'authorization',
      request: { method: 'GET', url: maskUrl(url.href, this.known), headers: {} },
      durationMs: performance.now() - t0,
      ...('code' in answer ? {} : { error: answer.error }),
      verdict:
        'code' in answer
          ? { level: 'ok', text: 'the redirect came back with an authorization code' }
          : { level: 'fail', text: `${answer.error}${answer.errorDescription ? `: ${answer.errorDescription}` : ''}` },
    });
    if (!('code' in answer)) {
      this.fail({ kind: 'authorization', answer, redirect });
      return false;
    }
    if (p.expectedState && answer.state !== p.expectedState) {
      this.fail({
        kind: 'authorization',
        answer: { error: 'state_mismatch', errorDescription: 'the redirect carried another state' },
        redirect,
      });
      return false;
    }
    this.state = { kind: 'exchanging' };
    try {
      await finishAuthorization(transport, answer.code, answer.iss);
    } catch (e) {
      this.fail({ kind: 'error', error: e });
      return false;
    }
    this.state = { kind: 'signed-in' };
    this.notify('sign-in: token received');
    return true;
  }

  private fail(failure: SignInFailure): void {
    this.state = { kind: 'failed', failure };
  }

  findings(subject: Subject, err?: unknown): Keyed[] {
    if (err !== undefined && this.state.kind !== 'failed' && !fromAuthFlow(err)) return [];
    // Nothing to say about a server that never asked for a sign-in.
    if (this.state.kind !== 'failed' && !this.log.rows.some((r) => r.step === 'challenge' || r.step === 'step-up'))
      return [];
    const failure =
      this.state.kind === 'failed' ? this.state.failure : err ? { kind: 'error' as const, error: err } : undefined;
    return diagnoseSignIn(subject, {
      serverUrl: this.serverUrl,
      rows: this.log.rows,
      failure,
      settings: this.opts.settings,
      accessToken: this.doctorProvider?.tokens()?.access_token,
      issuerWaived: this.issuerWaived,
      known: this.known,
    });
  }

  /** Forgets the server's tokens and client registration (here and in the store). */
  async signOut(): Promise<void> {
    await this.doctorProvider?.invalidateCredentials('all');
    if (this.serverUrl) await this.opts.store.delete(grantKey(this.serverUrl));
    this.provider = undefined;
    this.doctorProvider = undefined;
    this.log.clear();
    this.state = { kind: 'idle' };
  }

  async dispose(): Promise<void> {
    await this.opts.loopback?.close();
  }
}

import { randomBytes } from 'node:crypto';
import {
  privateKeyJwtAuth,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
} from '../session/sdk';
import type { KnownSecrets } from './mask';
import type { AuthSettings } from './settings';
import { grantKey, type SecretStore } from './store';

/** What is kept for one server between starts (in SecretStorage in VS Code). */
interface GrantRecord {
  client?: StoredOAuthClientInformation;
  tokens?: StoredOAuthTokens;
  discovery?: OAuthDiscoveryState;
}

/**
 * The SDK's view of MCP Doctor as an OAuth client of one server: client identity (pre-registered
 * id from the config, a Client ID Metadata Document, or what dynamic registration returned),
 * tokens and discovery results persisted in a `SecretStore`, the PKCE verifier in memory. It
 * never opens a browser itself: `redirectToAuthorization` only records the URL, and the sign-in
 * (`SignIn`) takes the user there.
 */
export class DoctorOAuthProvider implements OAuthClientProvider {
  private record: GrantRecord = {};
  private loaded = false;
  private verifier?: string;
  private lastState?: string;
  /** The authorization URL the SDK asked to send the user to, until the sign-in takes it. */
  pendingAuthorization?: URL;
  /**
   * True while a sign-in round uses the pending URL: concurrent requests that hit 401 run `auth()`
   * too, and must not replace the verifier and state of the round in flight (they wait for it).
   */
  roundActive = false;

  constructor(
    private readonly serverUrl: string,
    private readonly settings: AuthSettings,
    private readonly store: SecretStore,
    private readonly known: KnownSecrets,
    private readonly redirect: string | undefined,
    private readonly clientName: string,
  ) {
    known.add(settings.clientSecret);
  }

  /** Reads the stored record (once). */
  async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    const text = await this.store.get(grantKey(this.serverUrl));
    if (!text) return;
    try {
      this.record = JSON.parse(text) as GrantRecord;
      this.known.add(
        this.record.tokens?.access_token,
        this.record.tokens?.refresh_token,
        this.record.client?.client_secret,
      );
    } catch {
      this.record = {};
    }
  }

  private async save(): Promise<void> {
    await this.store.store(grantKey(this.serverUrl), JSON.stringify(this.record));
  }

  get redirectUrl(): string | undefined {
    return this.settings.grant === 'client_credentials' ? undefined : this.redirect;
  }

  get clientMetadataUrl(): string | undefined {
    return this.settings.clientMetadataUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    if (this.settings.grant === 'client_credentials')
      return {
        client_name: this.clientName,
        redirect_uris: [],
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: this.settings.privateKey ? 'private_key_jwt' : 'client_secret_basic',
        ...(this.settings.scopes?.length ? { scope: this.settings.scopes.join(' ') } : {}),
      };
    return {
      client_name: this.clientName,
      redirect_uris: this.redirect ? [this.redirect] : [],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: this.settings.clientSecret ? 'client_secret_basic' : 'none',
      ...(this.settings.scopes?.length ? { scope: this.settings.scopes.join(' ') } : {}),
    };
  }

  state(): string {
    const state = randomBytes(16).toString('base64url');
    if (!this.roundActive) this.lastState = state;
    return state;
  }

  /** The `state` of the last authorization request (the callback must carry it back). */
  get expectedState(): string | undefined {
    return this.lastState;
  }

  /**
   * A client id from the config is meant for the authorization server this server names: it is
   * stamped with the issuer the SDK resolved (`ctx`) unless a stamp was already saved for it, so
   * the SDK neither warns about an unstamped credential nor loses its issuer check (SEP-2352).
   */
  clientInformation(ctx?: { issuer?: string }): StoredOAuthClientInformation | undefined {
    if (this.settings.clientId) {
      const saved = this.record.client?.client_id === this.settings.clientId ? this.record.client.issuer : undefined;
      const issuer = saved ?? ctx?.issuer;
      return {
        client_id: this.settings.clientId,
        ...(this.settings.clientSecret ? { client_secret: this.settings.clientSecret } : {}),
        ...(issuer ? { issuer } : {}),
      };
    }
    return this.record.client;
  }

  async saveClientInformation(info: StoredOAuthClientInformation): Promise<void> {
    this.known.add(info.client_secret);
    this.record.client = info;
    await this.save();
  }

  tokens(): StoredOAuthTokens | undefined {
    return this.record.tokens;
  }

  async saveTokens(tokens: StoredOAuthTokens): Promise<void> {
    this.known.add(tokens.access_token, tokens.refresh_token, (tokens as { id_token?: string }).id_token);
    this.record.tokens = tokens;
    await this.save();
  }

  redirectToAuthorization(url: URL): void {
    if (!this.roundActive) this.pendingAuthorization = url;
  }

  saveCodeVerifier(verifier: string): void {
    this.known.add(verifier);
    if (!this.roundActive) this.verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('no PKCE code verifier was saved for this sign-in');
    return this.verifier;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.record.discovery;
  }

  async saveDiscoveryState(state: OAuthDiscoveryState): Promise<void> {
    this.record.discovery = state;
    await this.save();
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    if (scope === 'all' || scope === 'client') this.record.client = undefined;
    if (scope === 'all' || scope === 'tokens') this.record.tokens = undefined;
    if (scope === 'all' || scope === 'discovery') this.record.discovery = undefined;
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
    await this.save();
  }

  get addClientAuthentication(): OAuthClientProvider['addClientAuthentication'] {
    const s = this.settings;
    if (!s.privateKey || !s.clientId) return undefined;
    return privateKeyJwtAuth({
      issuer: s.clientId,
      subject: s.clientId,
      privateKey: s.privateKey,
      alg: s.signingAlgorithm ?? 'RS256',
    });
  }

  prepareTokenRequest(scope?: string): URLSearchParams | undefined {
    if (this.settings.grant !== 'client_credentials') return undefined;
    const params = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope) params.set('scope', scope);
    return params;
  }
}

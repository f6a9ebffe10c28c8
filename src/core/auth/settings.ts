/**
 * How a server entry asks to be signed in to, read from the entry as written. Clients spell it
 * differently: Claude Code keeps `oauth: { clientId, callbackPort }`, Cursor `auth: { CLIENT_ID,
 * CLIENT_SECRET, scopes }`; MCP Doctor reads both, plus `oauth.clientSecret`, `oauth.scopes`,
 * `oauth.clientMetadataUrl` (a Client ID Metadata Document) and `oauth.grantType`
 * (`client_credentials` for machine-to-machine servers).
 */
export interface AuthSettings {
  grant: 'authorization_code' | 'client_credentials';
  /** A client id registered beforehand with the authorization server (no registration then). */
  clientId?: string;
  clientSecret?: string;
  /** An https URL of this client's metadata document, used as `client_id` where the server supports it. */
  clientMetadataUrl?: string;
  /** Scopes to ask for when neither the challenge nor the metadata name any. */
  scopes?: string[];
  /** Fixed port of the loopback redirect (`http://127.0.0.1:<port>/callback`). */
  callbackPort?: number;
  /** `private_key_jwt` client authentication (PEM), with its algorithm. */
  privateKey?: string;
  signingAlgorithm?: string;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function scopesOf(v: unknown): string[] | undefined {
  if (typeof v === 'string') return v.split(/\s+/).filter(Boolean);
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x !== '');
  return undefined;
}

/** The sign-in settings of a server entry (`raw` as written, variables already resolved). */
export function authSettingsOf(raw: unknown): AuthSettings {
  const entry = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const oauth = entry.oauth && typeof entry.oauth === 'object' ? (entry.oauth as Record<string, unknown>) : {};
  const cursor = entry.auth && typeof entry.auth === 'object' ? (entry.auth as Record<string, unknown>) : {};
  const grantType = str(oauth.grantType) ?? str(oauth.grant_type);
  const port = Number(oauth.callbackPort ?? oauth.callback_port);
  return {
    grant: grantType === 'client_credentials' ? 'client_credentials' : 'authorization_code',
    clientId: str(oauth.clientId) ?? str(oauth.client_id) ?? str(cursor.CLIENT_ID),
    clientSecret: str(oauth.clientSecret) ?? str(oauth.client_secret) ?? str(cursor.CLIENT_SECRET),
    clientMetadataUrl: str(oauth.clientMetadataUrl) ?? str(oauth.client_metadata_url),
    scopes: scopesOf(oauth.scopes ?? oauth.scope ?? cursor.scopes),
    callbackPort: Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined,
    privateKey: str(oauth.privateKey),
    signingAlgorithm: str(oauth.signingAlgorithm),
  };
}

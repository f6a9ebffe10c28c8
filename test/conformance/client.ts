/**
 * MCP Doctor as a client of the official conformance suite (`@modelcontextprotocol/conformance`).
 * The suite starts a test server per scenario and runs this file with the server URL as the
 * last argument, the scenario name in `MCP_CONFORMANCE_SCENARIO` and scenario data (client
 * credentials, keys) as JSON in `MCP_CONFORMANCE_CONTEXT`. Every behaviour drives the same
 * `McpSession` as the extension and the CLI; only how the session is set up differs per
 * scenario (a table: scenario → behaviour). Exit code 0 when the behaviour succeeded.
 */
import type { ServerConfig } from '../../src/core/config/types';
import { SignIn, type SignInOptions } from '../../src/core/auth/signIn';
import { MemorySecretStore } from '../../src/core/auth/store';
import type { AuthSettings } from '../../src/core/auth/settings';
import { HeadlessUserAgent } from '../../src/core/auth/userAgent';
import type { ClientFeatures } from '../../src/core/session/clientFeatures';
import { McpSession, type SessionOptions } from '../../src/core/session/mcpSession';

type Context = Record<string, unknown>;

interface Scenario {
  url: string;
  name: string;
  context: Context;
}

/** A behaviour: sets up and drives a session; throws when the scenario's goal was not reached. */
type Behaviour = (s: Scenario) => Promise<void>;

/**
 * The client id URL MCP Doctor would be configured with (`oauth.clientMetadataUrl`) for
 * servers that accept Client ID Metadata Documents; the suite's server expects this one.
 */
const CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';

function str(ctx: Context, key: string): string {
  const v = ctx[key];
  if (typeof v !== 'string') throw new Error(`the scenario context has no ${key}`);
  return v;
}

function serverEntry(url: string, name: string): ServerConfig {
  return {
    id: `conformance:${name}`,
    name,
    client: 'vscode',
    file: 'conformance',
    scope: 'workspace',
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    transport: 'http',
    url,
    disabled: false,
    unresolved: [],
    raw: {},
  };
}

function signIn(settings: Partial<AuthSettings>, extra: Partial<SignInOptions> = {}): SignIn {
  return new SignIn({
    settings: { grant: 'authorization_code', clientMetadataUrl: CLIENT_METADATA_URL, ...settings },
    store: new MemorySecretStore(),
    userAgent: new HeadlessUserAgent((u, init) => fetch(u, init)),
    clientName: 'MCP Doctor (conformance)',
    timeoutMs: 15000,
    ...extra,
  });
}

/** A tool the scenario calls after listing, and its arguments. */
interface Call {
  tool: string;
  args: Record<string, unknown>;
  /** The scenario fails when the server does not list the tool (otherwise the call is skipped). */
  required?: boolean;
}

/** The auth scenarios' servers offer `test-tool`: called when listed. */
const TEST_TOOL: Call = { tool: 'test-tool', args: {} };

/**
 * Starts a session (connect, sign in when asked, list), calls the scenario's tool, stops.
 * Throws when the session did not run, a call failed or any error finding was reported.
 */
async function connectListCall(s: Scenario, opts: Partial<SessionOptions> = {}, call: Call = TEST_TOOL): Promise<void> {
  const session = new McpSession({
    server: serverEntry(s.url, s.name),
    clientInfo: { name: 'mcp-doctor-conformance', version: '0' },
    startupTimeoutMs: 20000,
    requestTimeoutMs: 20000,
    healthIntervalMs: 0,
    ...opts,
  });
  try {
    await session.start();
    const view = session.view();
    const problems = () =>
      session
        .view()
        .findings.map((f) => `${f.code} ${f.message}`)
        .join('\n');
    if (view.state.kind !== 'running')
      throw new Error(
        `not running (${view.state.kind === 'error' ? view.state.reason : view.state.kind})\n${problems()}`,
      );
    if (view.tools.some((t) => t.name === call.tool)) {
      const r = await session.callTool(call.tool, call.args);
      if (!r.ok) throw new Error(`${call.tool} failed: ${r.error?.message}\n${problems()}`);
      if (r.isError) throw new Error(`${call.tool} returned isError: ${JSON.stringify(r.result)}\n${problems()}`);
    } else if (call.required) {
      throw new Error(`the server does not list ${call.tool} (tools: ${view.tools.map((t) => t.name).join(', ')})`);
    }
    for (const f of session.view().findings) if (f.severity === 'error') throw new Error(`${f.code} ${f.message}`);
  } finally {
    await session.dispose();
  }
}

/** Accepts every form elicitation with no values of its own: the requested schema's defaults fill it (SEP-1034). */
const acceptDefaults: ClientFeatures = { elicit: () => Promise.resolve({ action: 'accept', content: {} }) };

const signedIn: Behaviour = (s) => connectListCall(s, { auth: signIn({}) });

const SCENARIOS: Record<string, Behaviour> = {
  initialize: (s) => connectListCall(s),
  tools_call: (s) => connectListCall(s, {}, { tool: 'add_numbers', args: { a: 5, b: 3 }, required: true }),
  'elicitation-sep1034-client-defaults': (s) =>
    connectListCall(
      s,
      { features: acceptDefaults },
      { tool: 'test_client_elicitation_defaults', args: {}, required: true },
    ),
  // The server closes the event stream mid-call with a `retry` hint; the SDK's transport reconnects.
  'sse-retry': (s) => connectListCall(s, {}, { tool: 'test_reconnection', args: {}, required: true }),
  'auth/metadata-default': signedIn,
  'auth/metadata-var1': signedIn,
  'auth/metadata-var2': signedIn,
  'auth/metadata-var3': signedIn,
  'auth/basic-cimd': signedIn,
  'auth/scope-from-www-authenticate': signedIn,
  'auth/scope-from-scopes-supported': signedIn,
  'auth/scope-omitted-when-undefined': signedIn,
  'auth/scope-step-up': signedIn,
  'auth/scope-retry-limit': signedIn,
  'auth/token-endpoint-auth-basic': signedIn,
  'auth/token-endpoint-auth-post': signedIn,
  'auth/token-endpoint-auth-none': signedIn,
  'auth/2025-03-26-oauth-metadata-backcompat': signedIn,
  'auth/2025-03-26-oauth-endpoint-fallback': signedIn,
  'auth/resource-mismatch': signedIn,
  'auth/offline-access-scope': signedIn,
  'auth/offline-access-not-supported': signedIn,
  'auth/pre-registration': (s) =>
    connectListCall(s, {
      auth: signIn({ clientId: str(s.context, 'client_id'), clientSecret: str(s.context, 'client_secret') }),
    }),
  'auth/client-credentials-basic': (s) =>
    connectListCall(s, {
      auth: signIn({
        grant: 'client_credentials',
        clientId: str(s.context, 'client_id'),
        clientSecret: str(s.context, 'client_secret'),
      }),
    }),
  'auth/client-credentials-jwt': (s) =>
    connectListCall(s, {
      auth: signIn({
        grant: 'client_credentials',
        clientId: str(s.context, 'client_id'),
        privateKey: str(s.context, 'private_key_pem'),
        signingAlgorithm: typeof s.context.signing_algorithm === 'string' ? s.context.signing_algorithm : 'ES256',
      }),
    }),
  'auth/cross-app-access-complete-flow': (s) =>
    connectListCall(s, {
      auth: signIn(
        {},
        {
          crossApp: {
            clientId: str(s.context, 'client_id'),
            clientSecret: str(s.context, 'client_secret'),
            idpTokenEndpoint: str(s.context, 'idp_token_endpoint'),
            idpClientId: str(s.context, 'idp_client_id'),
            idToken: str(s.context, 'idp_id_token'),
          },
        },
      ),
    }),
};

async function main(): Promise<number> {
  const name = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
  const url = process.argv[process.argv.length - 1];
  const behaviour = SCENARIOS[name];
  if (!behaviour || !/^https?:\/\//.test(url ?? '')) {
    console.error(
      `usage: MCP_CONFORMANCE_SCENARIO=<scenario> node client.js <server-url>\nscenarios: ${Object.keys(SCENARIOS).join(', ')}`,
    );
    return 2;
  }
  const context = process.env.MCP_CONFORMANCE_CONTEXT
    ? (JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT) as Context)
    : {};
  try {
    await behaviour({ url, name, context });
    return 0;
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 1;
  }
}

void main().then((code) => process.exit(code));

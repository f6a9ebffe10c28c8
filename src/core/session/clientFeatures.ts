/**
 * What MCP Doctor can do as a client when a server asks (elicitation, sampling, roots), in both
 * eras: a 2025-era server sends a request (`elicitation/create`…); a 2026-era server returns an
 * `input_required` result whose input requests the SDK fulfils through the same handlers. The
 * UI (VS Code forms, the language model API) and the CLI (`--elicit`, `--sampling-reply`)
 * provide the answers; this module wires them to the client and records every exchange.
 */
import { elicitationSchemaProblems } from './elicitation';
import type { ClientCapabilities } from './sdk';

export interface ElicitationRequest {
  mode: 'form' | 'url';
  message: string;
  /** Form mode: the flat object schema of the fields to ask. */
  requestedSchema?: Record<string, unknown>;
  /** URL mode: the page the user must visit. */
  url?: string;
  elicitationId?: string;
}

export type ElicitationAnswer =
  { action: 'accept'; content?: Record<string, unknown> } | { action: 'decline' } | { action: 'cancel' };

/** A `sampling/createMessage` request, as sent (messages, systemPrompt, maxTokens, modelPreferences…). */
export type SamplingRequest = Record<string, unknown> & { messages: unknown[]; maxTokens?: number };

export type SamplingAnswer = { text: string; model: string; stopReason?: string } | { decline: string };

export interface Root {
  uri: string;
  name?: string;
}

/** Who asks, and for which call (when one tool call was in flight). */
export interface FeatureContext {
  serverName: string;
  tool?: string;
  signal: AbortSignal;
}

export interface ClientFeatures {
  elicit?(req: ElicitationRequest, ctx: FeatureContext): Promise<ElicitationAnswer>;
  sample?(req: SamplingRequest, ctx: FeatureContext): Promise<SamplingAnswer>;
  roots?(): Root[] | Promise<Root[]>;
}

/** The capabilities a client with these features declares. */
export function capabilitiesOf(features: ClientFeatures | undefined): ClientCapabilities {
  const caps: ClientCapabilities = {};
  if (features?.elicit) caps.elicitation = { form: {}, url: {} };
  if (features?.sample) caps.sampling = {};
  if (features?.roots) caps.roots = { listChanged: true };
  return caps;
}

/** One server→client exchange (a request in 2025, an input request in 2026) and how it ended. */
export interface BackChannelExchange {
  method: 'elicitation/create' | 'sampling/createMessage' | 'roots/list';
  tool?: string;
  ok: boolean;
  /** The client has no handler for it (answered -32601). */
  unsupported?: boolean;
  /** accept / decline / cancel for elicitation; declined sampling. */
  outcome?: string;
  error?: string;
  ms: number;
}

/** A JSON-RPC error a handler answers with (`code` -1 is the spec's "user rejected"). */
class FeatureError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Server→client request handlers for the features given: the SDK calls them with the request's
 * params; each answer (or failure) is reported to `record`.
 */
export function featureHandlers(
  features: ClientFeatures,
  context: (signal: AbortSignal) => FeatureContext,
  record: (e: BackChannelExchange) => void,
): Partial<
  Record<
    BackChannelExchange['method'],
    (params: Record<string, unknown>, signal: AbortSignal) => Promise<Record<string, unknown>>
  >
> {
  const timed =
    (
      method: BackChannelExchange['method'],
      run: (
        params: Record<string, unknown>,
        ctx: FeatureContext,
      ) => Promise<{ result: Record<string, unknown>; outcome?: string }>,
    ) =>
    async (params: Record<string, unknown>, signal: AbortSignal) => {
      const ctx = context(signal);
      const t0 = performance.now();
      try {
        const { result, outcome } = await run(params, ctx);
        record({ method, tool: ctx.tool, ok: true, outcome, ms: performance.now() - t0 });
        return result;
      } catch (err) {
        record({
          method,
          tool: ctx.tool,
          ok: false,
          error: err instanceof Error ? err.message : String(err),
          ms: performance.now() - t0,
        });
        throw err;
      }
    };
  const handlers: ReturnType<typeof featureHandlers> = {};
  if (features.elicit) {
    const elicit = features.elicit.bind(features);
    handlers['elicitation/create'] = timed('elicitation/create', async (params, ctx) => {
      const req: ElicitationRequest = {
        mode: params.mode === 'url' ? 'url' : 'form',
        message: typeof params.message === 'string' ? params.message : '',
        requestedSchema: isObject(params.requestedSchema) ? params.requestedSchema : undefined,
        url: typeof params.url === 'string' ? params.url : undefined,
        elicitationId: typeof params.elicitationId === 'string' ? params.elicitationId : undefined,
      };
      if (req.mode === 'form') {
        // A client renders forms from the spec's subset only; the server learns why it got no form.
        const problems = elicitationSchemaProblems(req.requestedSchema);
        if (problems.length)
          throw new FeatureError(-32602, `requestedSchema is not a form the spec allows: ${problems.join('; ')}`);
      } else if (!req.url) throw new FeatureError(-32602, 'a URL-mode elicitation needs a `url`');
      const answer = await elicit(req, ctx);
      if (answer.action !== 'accept' || !req.requestedSchema) return { result: answer, outcome: answer.action };
      // Defaults fill what the answer leaves out; an answer that still misses a required field
      // is not sent (the server would only see an invalid response).
      const { content, missing } = completeElicitation(req.requestedSchema, answer.content ?? {});
      if (missing.length)
        throw new FeatureError(
          -32602,
          `the answer lacks the required field(s) ${missing.join(', ')} of the requested schema`,
        );
      return { result: { action: 'accept', content }, outcome: 'accept' };
    });
  }
  if (features.sample) {
    const sample = features.sample.bind(features);
    handlers['sampling/createMessage'] = timed('sampling/createMessage', async (params, ctx) => {
      const answer = await sample(params as SamplingRequest, ctx);
      if ('decline' in answer) throw new FeatureError(-1, answer.decline);
      return {
        result: {
          role: 'assistant',
          content: { type: 'text', text: answer.text },
          model: answer.model,
          stopReason: answer.stopReason ?? 'endTurn',
        },
        outcome: 'answered',
      };
    });
  }
  if (features.roots) {
    const roots = features.roots.bind(features);
    handlers['roots/list'] = timed('roots/list', async () => ({ result: { roots: await roots() } }));
  }
  return handlers;
}

/**
 * The content of an accepted form: the given values, then each field's `default` from the
 * requested schema where no value is given (SEP-1034), and the required fields still missing.
 */
function completeElicitation(
  schema: Record<string, unknown>,
  given: Record<string, unknown>,
): { content: Record<string, unknown>; missing: string[] } {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const content: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(properties)) {
    if (name in given) content[name] = given[name];
    else if (isObject(prop) && prop.default !== undefined) content[name] = prop.default;
  }
  const required = Array.isArray(schema.required)
    ? schema.required.filter((r): r is string => typeof r === 'string')
    : [];
  return { content, missing: required.filter((r) => !(r in content)) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Which tool call a server→client exchange belongs to. A 2025-era server request carries no
 * link to the call that caused it, so an exchange is attributed when exactly one call is in
 * flight (the usual case when a tool asks for input).
 */
export class CallAttribution {
  private readonly inFlight = new Map<number, { tool: string; exchanges: BackChannelExchange[] }>();
  private next = 0;

  begin(tool: string): number {
    const id = this.next++;
    this.inFlight.set(id, { tool, exchanges: [] });
    return id;
  }

  /** The exchanges recorded for this call. */
  end(id: number): BackChannelExchange[] {
    const call = this.inFlight.get(id);
    this.inFlight.delete(id);
    return call?.exchanges ?? [];
  }

  /** The tool of the only call in flight, if there is exactly one. */
  currentTool(): string | undefined {
    return this.inFlight.size === 1 ? [...this.inFlight.values()][0].tool : undefined;
  }

  record(e: BackChannelExchange): void {
    if (this.inFlight.size !== 1) return;
    [...this.inFlight.values()][0].exchanges.push(e);
  }
}

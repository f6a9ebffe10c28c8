import type { Finding } from '../model';
import { runtimeFinding, truncate, type Keyed, type Subject } from './diagnosis';
import { validateAgainst } from './jsonSchema';
import { CHARS_PER_TOKEN, largeResultMessage, resultTextChars } from './resultSize';
import type { ToolInfo } from './types';
import { detachedPrefix } from '../util/text';

/** How a request ended, as the checks see it (the session's `CallOutcome` without its findings). */
export interface CallResult {
  ok: boolean;
  result?: unknown;
  error?: { code?: number; message: string; data?: unknown };
  timedOut?: boolean;
}

const METHOD_NOT_FOUND = -32601;
const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;

/**
 * Checks on each `tools/call` of one session: the result against the tool's `outputSchema`,
 * results too large for clients, timeouts and JSON-RPC errors counted per tool. It keeps the
 * counters; the findings it returns are keyed so that the session updates instead of adding.
 */
export class CallChecks {
  /** Largest result text seen per tool, so MCP718 shows the worst call once. */
  private readonly largest = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private readonly timeouts = new Map<string, number>();

  constructor(private readonly subject: Subject) {}

  /**
   * The findings of one finished tool call: those about this call (`forCall`, shown with its
   * result) and those to set on the session (`forSession`, including `forCall`).
   */
  check(
    tool: string,
    call: CallResult,
    info: ToolInfo | undefined,
    timeoutMs: number,
  ): { forCall: Finding[]; forSession: Keyed[] } {
    const forSession: Keyed[] = [];
    const forCall: Finding[] = [];
    const result =
      call.result && typeof call.result === 'object' ? (call.result as Record<string, unknown>) : undefined;
    if (result) {
      const large = this.checkSize(tool, result);
      if (large) forSession.push(large);
      const schema = result.isError === true ? undefined : this.checkOutputSchema(tool, result, info);
      if (schema) forSession.push(schema);
      forCall.push(...forSession.map(([, f]) => f));
    } else if (
      call.error?.code !== undefined &&
      [METHOD_NOT_FOUND, INVALID_PARAMS, INTERNAL_ERROR].includes(call.error.code)
    ) {
      forSession.push(this.countError(tool, call.error.code, call.error.message));
    } else if (call.timedOut) {
      forSession.push(this.countTimeout(tool, timeoutMs));
    }
    return { forCall, forSession };
  }

  private checkOutputSchema(
    tool: string,
    result: Record<string, unknown>,
    info: ToolInfo | undefined,
  ): Keyed | undefined {
    if (!info?.outputSchema) return undefined;
    const sc = result.structuredContent;
    let problem: string | undefined;
    if (sc === undefined || sc === null)
      problem = `Tool \`${tool}\` declares an \`outputSchema\` but its result has no \`structuredContent\``;
    else {
      const v = validateAgainst(info.outputSchema, sc);
      if (!v.ok && !v.schemaError)
        problem = `The \`structuredContent\` of tool \`${tool}\` does not match its \`outputSchema\`: ${v.errors.slice(0, 5).join('; ')}`;
    }
    if (!problem) return undefined;
    return [
      `MCP203:${tool}`,
      runtimeFinding(
        this.subject,
        'MCP203',
        'error',
        `${problem}. Spec-following clients reject such results ("has an output schema but did not return structured content", MCP error -32600). Return a value matching the declared schema (in FastMCP the schema comes from the return annotation).`,
        undefined,
        { tool, structuredContent: sc === undefined ? undefined : truncateJson(sc) },
      ),
    ];
  }

  private checkSize(tool: string, result: Record<string, unknown>): Keyed | undefined {
    const chars = resultTextChars(result);
    if (chars <= (this.largest.get(tool) ?? 0)) return undefined;
    this.largest.set(tool, chars);
    const large = largeResultMessage(tool, chars);
    if (!large) return undefined;
    return [
      `MCP718:${tool}`,
      runtimeFinding(this.subject, 'MCP718', large.severity, large.message, undefined, {
        tool,
        chars,
        tokens: Math.round(chars / CHARS_PER_TOKEN),
      }),
    ];
  }

  private countError(tool: string, code: number, message: string): Keyed {
    const key = `${tool}:${code}`;
    const count = (this.errors.get(key) ?? 0) + 1;
    this.errors.set(key, count);
    const what =
      code === METHOD_NOT_FOUND ? 'Method not found' : code === INVALID_PARAMS ? 'Invalid params' : 'Internal error';
    const advice =
      code === INVALID_PARAMS
        ? "The arguments do not match the tool's input schema, or the schema does not describe what the handler expects."
        : code === METHOD_NOT_FOUND
          ? 'The server does not implement `tools/call` (or the tool) it advertises.'
          : 'The handler raised an exception that the framework turned into a protocol error; tool failures should be results with `isError: true`.';
    return [
      `MCP716:${key}`,
      runtimeFinding(
        this.subject,
        'MCP716',
        'warning',
        `\`tools/call\` \`${tool}\` failed ${count}× with JSON-RPC ${code} (${what}): ${truncate(message, 200)}. ${advice}`,
        undefined,
        { tool, code, count, lastMessage: message },
      ),
    ];
  }

  private countTimeout(tool: string, timeoutMs: number): Keyed {
    const count = (this.timeouts.get(tool) ?? 0) + 1;
    this.timeouts.set(tool, count);
    const secs = (timeoutMs / 1000).toFixed(1).replace(/\.0$/, '');
    return [
      `MCP717:${tool}`,
      runtimeFinding(
        this.subject,
        'MCP717',
        'warning',
        `Tool \`${tool}\` did not answer within ${secs} s${count > 1 ? ` (${count} times)` : ''}; MCP Doctor gave up and sent \`notifications/cancelled\`. Clients give up the same way (often after 60 s) and the user sees only a timeout. Find what the handler waits on (a network call without a timeout, a lock, a blocking call in an async handler); long-running tools should send progress notifications (clients may extend their timeout) and stop when cancelled.`,
        undefined,
        { tool, timeoutMs, count },
      ),
    ];
  }
}

function truncateJson(v: unknown): unknown {
  try {
    const s = JSON.stringify(v);
    return s.length > 2000 ? detachedPrefix(s, 2000, '…') : v;
  } catch {
    return undefined;
  }
}

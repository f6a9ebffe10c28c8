import { estimateJsonSize } from '../trace/payload';

/** Rough tokens per character of English and JSON text (the usual 4-characters-per-token rule). */
export const CHARS_PER_TOKEN = 4;
/** Claude Code warns above this many tokens in one MCP tool result. */
const WARN_TOKENS = 10_000;
/** Claude Code's default cap on one MCP tool result (`MAX_MCP_OUTPUT_TOKENS`). */
const MAX_TOKENS = 25_000;

/**
 * Characters of text a model would read from a `tools/call` result: text content, embedded
 * resource text, and `structuredContent` as JSON. Image, audio and blob data are left out
 * (clients count them differently). The walk stops early past `limit`.
 */
export function resultTextChars(result: Record<string, unknown>, limit = MAX_TOKENS * CHARS_PER_TOKEN * 4): number {
  let chars = 0;
  const content = result.content;
  if (Array.isArray(content)) {
    for (const item of content) {
      if (!item || typeof item !== 'object') continue;
      const c = item as { type?: string; text?: unknown; resource?: { text?: unknown } };
      if (c.type === 'text' && typeof c.text === 'string') chars += c.text.length;
      else if (c.type === 'resource' && typeof c.resource?.text === 'string') chars += c.resource.text.length;
      if (chars > limit) return chars;
    }
  }
  if (result.structuredContent !== undefined) chars += estimateJsonSize(result.structuredContent, limit);
  return chars;
}

/** The message of an `MCP718` finding, or undefined when the result is small enough. */
export function largeResultMessage(
  tool: string,
  chars: number,
): { severity: 'warning' | 'info'; message: string } | undefined {
  const tokens = Math.round(chars / CHARS_PER_TOKEN);
  if (tokens <= WARN_TOKENS) return undefined;
  const size = `about ${tokens.toLocaleString('en-US')} tokens (${chars.toLocaleString('en-US')} characters of text)`;
  const fix =
    'Return less per call: paginate or filter (a `limit`/`cursor` parameter), summarize, or return a `resource_link` the client reads only when needed.';
  if (tokens > MAX_TOKENS) {
    return {
      severity: 'warning',
      message: `Tool \`${tool}\` returned ${size}. Claude Code rejects MCP tool results above ${MAX_TOKENS.toLocaleString('en-US')} tokens by default (MAX_MCP_OUTPUT_TOKENS), and other clients cut large results silently, so the model sees an error or a fragment. ${fix}`,
    };
  }
  return {
    severity: 'info',
    message: `Tool \`${tool}\` returned ${size}. Claude Code warns above ${WARN_TOKENS.toLocaleString('en-US')} tokens per tool result, and every token of it fills the model's context. ${fix}`,
  };
}

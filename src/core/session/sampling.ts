/**
 * A `sampling/createMessage` request as a person reads it (the consent and the response editor)
 * and as a chat model is asked (plain text turns), with the model the server's preferences
 * point at. Pure: the VS Code language model API and editors are the adapter's.
 */

export interface SamplingTurn {
  role: 'user' | 'assistant';
  text: string;
}

/** What the request asks, read leniently (servers send what their SDK builds). */
export interface SamplingAsk {
  messages: SamplingTurn[];
  systemPrompt?: string;
  maxTokens?: number;
  temperature?: number;
  stopSequences?: string[];
  /** `modelPreferences.hints[].name`: substrings of model names, most preferred first. */
  hints: string[];
  priorities: { cost?: number; speed?: number; intelligence?: number };
  /** `includeContext` (deprecated): what the server asked to be included (MCP Doctor includes none). */
  includeContext?: string;
  /** Tools the server offers the model (2025-11-25 sampling with tools); MCP Doctor does not run them. */
  tools: string[];
}

export function readSamplingRequest(req: Record<string, unknown>): SamplingAsk {
  const messages = Array.isArray(req.messages) ? req.messages : [];
  const prefs = isObject(req.modelPreferences) ? req.modelPreferences : {};
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return {
    messages: messages.filter(isObject).map((m) => ({
      role: m.role === 'assistant' ? 'assistant' : 'user',
      text: contentText(m.content),
    })),
    systemPrompt: typeof req.systemPrompt === 'string' && req.systemPrompt ? req.systemPrompt : undefined,
    maxTokens: num(req.maxTokens),
    temperature: num(req.temperature),
    stopSequences: Array.isArray(req.stopSequences)
      ? req.stopSequences.filter((s): s is string => typeof s === 'string')
      : undefined,
    hints: (Array.isArray(prefs.hints) ? prefs.hints : [])
      .map((h) => (isObject(h) && typeof h.name === 'string' ? h.name : ''))
      .filter(Boolean),
    priorities: {
      cost: num(prefs.costPriority),
      speed: num(prefs.speedPriority),
      intelligence: num(prefs.intelligencePriority),
    },
    includeContext:
      typeof req.includeContext === 'string' && req.includeContext !== 'none' ? req.includeContext : undefined,
    tools: (Array.isArray(req.tools) ? req.tools : [])
      .map((t) => (isObject(t) && typeof t.name === 'string' ? t.name : ''))
      .filter(Boolean),
  };
}

/** A message's content (one block or a list) as text; other media are named, not inlined. */
function contentText(content: unknown): string {
  const blocks = Array.isArray(content) ? content : [content];
  return blocks
    .map((b) => {
      if (!isObject(b)) return '';
      switch (b.type) {
        case 'text':
          return typeof b.text === 'string' ? b.text : '';
        case 'image':
        case 'audio':
          return `[${b.type}${typeof b.mimeType === 'string' ? ` ${b.mimeType}` : ''}${typeof b.data === 'string' ? `, ${Math.round((b.data.length * 3) / 4 / 1024)} KB` : ''}]`;
        case 'tool_use':
          return `[tool call ${typeof b.name === 'string' ? b.name : '?'}(${JSON.stringify(b.input ?? {})})]`;
        case 'tool_result':
          return `[tool result: ${contentText(b.content)}]`;
        default:
          return `[${typeof b.type === 'string' ? b.type : 'content'}]`;
      }
    })
    .filter(Boolean)
    .join('\n');
}

/** One line each about limits and preferences (empty when the request sets none). */
function settingsLines(ask: SamplingAsk): string[] {
  const lines: string[] = [];
  const limits = [
    ask.maxTokens !== undefined ? `max tokens ${ask.maxTokens}` : '',
    ask.temperature !== undefined ? `temperature ${ask.temperature}` : '',
    ask.stopSequences?.length ? `stop at ${ask.stopSequences.map((s) => JSON.stringify(s)).join(', ')}` : '',
  ].filter(Boolean);
  if (limits.length) lines.push(`Limits: ${limits.join(', ')}`);
  const p = ask.priorities;
  const prefs = [
    ask.hints.length ? `models like ${ask.hints.join(', ')}` : '',
    p.cost !== undefined ? `cost ${p.cost}` : '',
    p.speed !== undefined ? `speed ${p.speed}` : '',
    p.intelligence !== undefined ? `intelligence ${p.intelligence}` : '',
  ].filter(Boolean);
  if (prefs.length) lines.push(`Model preferences: ${prefs.join(', ')}`);
  if (ask.includeContext) lines.push(`Asks to include context "${ask.includeContext}" (not included)`);
  if (ask.tools.length) lines.push(`Offers tools ${ask.tools.join(', ')} (not run)`);
  return lines;
}

/** The line of the response editor below which the user writes the reply. */
const REPLY_MARKER =
  '<!-- Write the reply below this line. Send Reply sends it; Decline or closing the editor declines. -->';

/**
 * The response editor's text: the request, quoted, then the marker and the draft. `model` names
 * the chat model the request can be sent to, when there is one.
 */
export function replyDocument(
  ask: SamplingAsk,
  from: { server: string; tool?: string },
  model?: string,
  draft = '',
): string {
  const quote = (text: string) =>
    text
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n');
  const out = [`# Sampling request from "${from.server}"${from.tool ? ` (tool \`${from.tool}\`)` : ''}`, ''];
  for (const line of settingsLines(ask)) out.push(`- ${line}`);
  out.push(
    model
      ? `- A chat model can answer: ${model}. In the title bar: Send to Chat Model (or Always Send… for this server), Draft Reply with Chat Model to edit its answer, or write the reply below and Send Reply.`
      : '- No chat model is available in VS Code: write the reply below, then Send Reply (title bar). Decline or closing the editor declines.',
  );
  if (ask.systemPrompt) out.push('', '**System prompt**', '', quote(ask.systemPrompt));
  for (const m of ask.messages) out.push('', `**${m.role === 'user' ? 'User' : 'Assistant'}**`, '', quote(m.text));
  out.push('', '---', REPLY_MARKER, draft);
  return out.join('\n');
}

/** The reply written in the response editor (everything below the marker), or undefined without the marker. */
export function replyFromDocument(text: string): string | undefined {
  const at = text.indexOf(REPLY_MARKER);
  if (at < 0) return undefined;
  return text.slice(at + REPLY_MARKER.length).trim();
}

/** A model as the adapter lists it. */
export interface ModelChoice {
  id: string;
  name: string;
  family: string;
  vendor: string;
}

/**
 * The model to use: the first hint (in the server's order) that is part of a model's id, family
 * or name, compared case-insensitively; else the first model. -1 when there is none.
 */
export function pickModel(models: readonly ModelChoice[], hints: readonly string[]): number {
  if (!models.length) return -1;
  for (const hint of hints) {
    const h = hint.toLowerCase();
    const i = models.findIndex((m) => [m.id, m.family, m.name].some((x) => x.toLowerCase().includes(h)));
    if (i >= 0) return i;
  }
  return 0;
}

/**
 * The turns to send to a chat model: the system prompt becomes a first user turn (the VS Code
 * language model API has no system role for extensions), consecutive turns keep their order.
 */
export function modelTurns(ask: SamplingAsk): SamplingTurn[] {
  const turns: SamplingTurn[] = [];
  if (ask.systemPrompt) turns.push({ role: 'user', text: `Instructions: ${ask.systemPrompt}` });
  turns.push(...ask.messages);
  return turns;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

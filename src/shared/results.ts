/**
 * The messages between the extension host and the "MCP Result" webview (one view per server,
 * showing its recent tool calls, resource reads and prompt gets). No `vscode`, Node or DOM
 * imports: the host, the core and the webview compile this file.
 *
 * Everything in a record comes from a server and may be hostile: the webview sets it only
 * through `textContent` and attributes, and only `data:` URLs the core made from base64 of
 * an allowed media type reach `src`.
 */

export type ResultKind = 'tool' | 'resource' | 'prompt';

/** How a call ended. */
export type ResultStatus = 'ok' | 'tool-error' | 'error' | 'timeout' | 'cancelled';

/** One content block of a result, prepared for display. */
export type ResultBlock =
  | {
      type: 'text';
      text: string;
      /** The text parsed as JSON, when it is a JSON object or array (shown as a foldable tree). */
      json?: unknown;
      /** Characters cut from a very long text. */
      clipped?: number;
    }
  | {
      type: 'image' | 'audio';
      mimeType: string;
      /** Decoded size in bytes. */
      bytes: number;
      /** A `data:` URL, only for base64 data of an allowed type. */
      src?: string;
      /** Why there is no `src`. */
      why?: string;
    }
  | {
      type: 'resource_link';
      uri: string;
      name?: string;
      title?: string;
      description?: string;
      mimeType?: string;
    }
  | {
      type: 'resource';
      uri: string;
      mimeType?: string;
      text?: string;
      json?: unknown;
      clipped?: number;
      /** Decoded size of a binary (`blob`) resource. */
      bytes?: number;
      /** A `data:` URL for a blob of an image type. */
      src?: string;
    }
  | { type: 'message'; role: string; blocks: ResultBlock[] }
  | { type: 'other'; label: string; value: unknown };

/** One call as the view shows it. */
export interface ResultRecord {
  /** Unique per extension host session. */
  id: number;
  kind: ResultKind;
  /** Tool name, resource URI or prompt name. */
  name: string;
  serverId: string;
  serverName: string;
  /** Epoch ms when the call ended. */
  at: number;
  durationMs: number;
  status: ResultStatus;
  error?: { code?: number; message: string; explanation: string; data?: unknown };
  args?: unknown;
  /** A prompt's description. */
  description?: string;
  blocks: ResultBlock[];
  /** The tool result's `structuredContent`, and the tool's `outputSchema` it is checked against. */
  structuredContent?: unknown;
  outputSchema?: unknown;
  /** Problems MCP Doctor found in this call (e.g. the result does not match `outputSchema`). */
  findings: { code: string; severity: string; message: string }[];
  /** The whole result, pretty-printed (cut beyond a limit). */
  raw?: string;
  rawClipped?: number;
}

/** Host → webview. */
export type ResultHostMessage =
  | { type: 'result/reset'; serverName: string; records: ResultRecord[]; selected?: number }
  /** A new call; records with an id below `oldest` are no longer kept. */
  | { type: 'result/add'; record: ResultRecord; oldest: number };

/** Webview → host. */
export type ResultViewMessage =
  | { type: 'result/ready' }
  /** Run the same call again with the same arguments. */
  | { type: 'result/again'; id: number }
  | { type: 'result/openTrace'; id: number }
  /** Open the record as a Markdown document (to copy into an issue or a chat). */
  | { type: 'result/markdown'; id: number }
  /** Read the resource a `resource_link` points at. */
  | { type: 'result/readResource'; uri: string };

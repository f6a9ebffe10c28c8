/**
 * Cheap text checks for Python files, shared by the engine's pre-check and the analyzer (this
 * module has no dependencies, so the engine can use it without loading the parser).
 */

/** Files that import an MCP framework or register on a server object. */
export const MCP_MARKER =
  /^[ \t]*(?:from|import)[ \t]+(?:fastmcp|mcp)\b|@[A-Za-z_]\w*\.(?:tool|resource|prompt)\b|\.add_(?:tool|resource|prompt)\(/m;

/**
 * Files without MCP imports that may still start a server defined elsewhere (runner modules,
 * `__main__.py`), or mount MCP endpoints built elsewhere into a web app (`sse.handle_post_message`,
 * `mcp.http_app()`), or define pydantic settings a server module reads (`settings.host`): parsed
 * for the project model (imports, starts, settings defaults); only the HTTP exposure rule runs on
 * the app modules.
 */
export const RUNNER_MARKER =
  /\.run(?:_\w+_async|_async)?\(|__main__|\.(?:handle_post_message|connect_sse|sse_app|streamable_http_app|http_app)\b|session_manager\.handle_request|\bBaseSettings\b/;

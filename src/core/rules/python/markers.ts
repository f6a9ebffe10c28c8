/**
 * Cheap text checks for Python files, shared by the engine's pre-check and the analyzer (this
 * module has no dependencies, so the engine can use it without loading the parser).
 */

/** Files that import an MCP framework or register on a server object. */
export const MCP_MARKER =
  /^[ \t]*(?:from|import)[ \t]+(?:fastmcp|mcp)\b|@[A-Za-z_]\w*\.(?:tool|resource|prompt)\b|\.add_(?:tool|resource|prompt)\(/m;

/**
 * Files without MCP imports that may still start a server defined elsewhere (runner modules,
 * `__main__.py`): parsed for the project model only (imports and starts); no rule runs on them.
 */
export const RUNNER_MARKER = /\.run(?:_\w+_async|_async)?\(|__main__/;

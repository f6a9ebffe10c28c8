/** What a tool's name says about its result (shared by the Python and TypeScript rules). */

/** Words that make a tool a diagnostic on their own. */
const DIAGNOSTIC = new Set(['health', 'healthcheck', 'ping', 'diagnose', 'diagnostic', 'diagnostics']);
/** A check of ... */
const CHECKS = new Set(['check', 'test', 'verify', 'validate', 'status']);
/** ... the server's own connection, login or setup. */
const OWN_SETUP = new Set([
  'connection',
  'connectivity',
  'connect',
  'auth',
  'authentication',
  'login',
  'credentials',
  'credential',
  'access',
  'setup',
  'config',
  'configuration',
]);

/**
 * Whether a tool reports whether the server's own connection, login or setup works
 * (`check_connection`, `jira_auth_status`, `testConnection`, `health`): a refused connection or a
 * rejected login is the answer it was asked for, so returning it as an ordinary result is right
 * (MCP705 does not apply). A status or check of the caller's object (`status(job)`,
 * `check_ip(address)`) is no such tool: a failed lookup there is a failure.
 */
export function isDiagnosticTool(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  if (words.some((w) => DIAGNOSTIC.has(w))) return true;
  return words.some((w) => CHECKS.has(w)) && words.some((w) => OWN_SETUP.has(w));
}

/**
 * Documentation that a tool's path argument may name any file: "absolute or relative path",
 * "absolute path to the file", "full path to the PDF file", "any path", "anywhere on the filesystem". Such a tool reads or writes
 * where its caller says by contract; there is no folder for a containment check to keep it in.
 */
const ANY_PATH =
  /\b(?:absolute|full)\b(?:\s+or\s+relative)?\s+(?:file\s+|directory\s+|folder\s+)?path|\bany\s+(?:file\s+)?path\b|\banywhere\s+on\s+(?:the\s+)?(?:file\s*system|disk|machine)\b/i;
/** Documentation that names a folder the paths stay in ("relative to the workspace", "inside the allowed directory"). */
const CONFINED =
  /\b(?:within|inside|under|relative\s+to|in)\s+(?:the\s+|a\s+|your\s+)?(?:allowed|configured|permitted|workspace|base|root|project|sandbox|output|data)\b/i;

/** Whether a tool's own text (description, schema descriptions, docstring) says its path may be anywhere. */
export function documentsAnyPath(text: string): boolean {
  const t = text.slice(0, 20_000);
  return ANY_PATH.test(t) && !CONFINED.test(t);
}

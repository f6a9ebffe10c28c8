import type { Fix, Range, Severity } from '../model';

/** Languages the rules engine analyzes. `config` is project files: package.json, pyproject, Dockerfile... */
export type Language = 'python' | 'typescript' | 'config';

/** The MCP framework a source file uses. */
export type Framework = 'fastmcp' | 'mcp-python-sdk' | 'ts-sdk' | 'ts-fastmcp';

export type DefinitionKind = 'tool' | 'resource' | 'resourceTemplate' | 'prompt';

/** A tool, resource, resource template or prompt defined in source. */
export interface Definition {
  kind: DefinitionKind;
  /** The name clients see (explicit name, or the function name). */
  name: string;
  /**
   * The name is computed (not a literal, nor a constant bound to one): `name` then holds the
   * source text, and name-based checks (duplicates, portability) skip the definition.
   */
  dynamicName?: boolean;
  file: string;
  /** Range of the whole definition (decorated function, or the registration call). */
  range: Range;
  /** Range to put a code lens / a "missing tool" diagnostic on: the decorator or call name. */
  nameRange: Range;
  framework: Framework;
  description?: string;
  /** URI or URI template, for resources. */
  uri?: string;
  params: { name: string; type?: string; optional?: boolean }[];
  /**
   * The handler function, when it is in this file: its whole range, and the first statement of
   * its body (after a docstring), where a debugger stops first when the tool is called.
   */
  handler?: { range: Range; firstStatement: Range };
  /** Python: the variable of the server it is registered on (`mcp`), here or imported from another module. */
  server?: string;
}

/** One rule violation as an analyzer reports it; the engine adds severity, docs and origin. */
export interface RuleHit {
  ruleId: string;
  range: Range;
  message: string;
  fixes?: Fix[];
  related?: { file: string; range: Range; message: string }[];
  /** The precondition could not be proven (e.g. transport from an env var): one level lower. */
  downgrade?: boolean;
  /**
   * Explicit severity for this hit, for rules whose level depends on the case (MCP202 error for
   * arbitrary classes, MCP703 error/warning/info). When set it wins over the default and `downgrade`.
   */
  severity?: Severity;
  data?: Record<string, unknown>;
}

/**
 * Facts about the project a file belongs to, computed once per project root.
 * Version-dependent rules read `packages`; deployment rules read `deployment`.
 */
export interface ProjectContext {
  /** Folder holding the nearest package.json / pyproject.toml (or the workspace folder). */
  root: string;
  /** Installed or declared versions by package name (npm and PyPI names), e.g. `fastmcp` → `2.12.0`. */
  packages: Map<string, string>;
  /** Where the version came from, for messages: `uv.lock`, `package-lock.json`... */
  packageSources: Map<string, string>;
  deployment: { dockerfile?: string; compose?: string; procfile?: string; fly?: string };
  /** Node engines range or `requires-python` when declared. */
  runtime: { node?: string; python?: string };
  /** Version ranges as declared in package.json / pyproject.toml / requirements (before lockfile resolution). */
  declared?: Map<string, string>;
  /** Every version a lockfile resolves for a package, when it resolves more than one (two zod copies...). */
  allVersions?: Map<string, string[]>;
  /** `package.json#name`: the SDK's own repository imports itself by relative paths. */
  packageName?: string;
  /** `package.json#type`, which decides whether `.js` files are ES modules. */
  moduleType?: 'module' | 'commonjs';
  /** Absolute paths of the project files that were read. */
  files?: string[];
  /** Changes whenever one of the project files changes (mtimes); part of cache keys. */
  stamp?: string;
}

/**
 * What one source file contributes to the project model: its imports and the transports it
 * starts. The engine joins these across files (import graph, entry points, reachability).
 */
export interface ModuleFacts {
  /**
   * Import specifiers as written: Python dotted names (`.server`, `..pkg.mod`, `excel_mcp.server`),
   * TypeScript/JavaScript module paths (`./tools/echo.js`), with the names imported from them.
   */
  imports: { from: string; names: string[] }[];
  /**
   * Packages this TypeScript/JavaScript file imports at run time (bare specifiers reduced to the
   * package name, `@modelcontextprotocol/sdk`; `import type` left out).
   */
  packages?: string[];
  /** Transports this file starts, on its own servers or on servers it imports (`mod.mcp.run()`). */
  starts: ('stdio' | 'http' | 'sse' | 'unknown')[];
  /**
   * Python: the same starts by server: this file's servers by name, and servers imported by name
   * (`from app.mcp import mcp` … `mcp.run(transport="http")`) by the name their module exports.
   */
  startsByServer?: Record<string, ('stdio' | 'http' | 'sse' | 'unknown')[]>;
  /** The file has an `if __name__ == "__main__":` block (Python) or is run as a script. */
  mainGuard: boolean;
  /**
   * Imported function names (as exported by their module) that this file calls only on paths that
   * cannot reach a stdio server: a CLI branch that exits or returns before any server starts
   * (`if args.login: login(); sys.exit()`), or HTTP-only code.
   */
  offStdio?: string[];
  /**
   * Module specifiers (TypeScript/JavaScript) that this file loads only on paths that cannot reach
   * a stdio server: every `import()` / `require()` of them sits in a CLI clause or branch that does
   * not serve (`case "setup": { const { run } = await import("./cli/setup.js"); ... }`). The module
   * is not loaded in the process that serves stdio.
   */
  offStdioImports?: string[];
  /**
   * A helper module (no MCP import) only: for each imported function it calls, the exported
   * functions of this file through which that happens (null: at import time).
   */
  via?: Record<string, string[] | null>;
  /**
   * For imported functions called on the stdio path (TypeScript): each call's first arguments as
   * string literals (null: not a literal), so a helper's write guarded by a parameter value
   * (`switch (level) { case "debug": console.log(...) }`) is judged by what callers pass.
   */
  stdioArgs?: Record<string, (string | null)[][]>;
  /**
   * For imported functions called on the stdio path (TypeScript): for each call, the value of the
   * call (truthy or falsy) that makes this file leave the serving path (`if (!handleCliArgs())
   * return;` before the start: falsy), or null. A helper's write after which the function returns
   * that value never runs in a serving process.
   */
  stdioResults?: Record<string, ('truthy' | 'falsy' | null)[]>;
  /**
   * Every server of the file that serves HTTP is stateless (`stateless_http=True`, a stateless
   * session manager): worker processes or replicas share no sessions (Python).
   */
  statelessHttp?: boolean;
  /**
   * TypeScript/JavaScript: string literals the file assigns to environment variables
   * (`process.env.MCP_TRANSPORT = "stdio"` before serving), by variable name. Output silenced
   * under such a value (`data.quietUnder` of MCP102) is judged by them.
   */
  envSets?: Record<string, string[]>;
  /** TypeScript/JavaScript: console methods the file points at stderr (`console.log = console.error`). */
  consoleRedirects?: string[];
  /**
   * TypeScript/JavaScript: properties that select every stdio start of the file (`if
   * (config.isStdioMode) await server.connect(stdio)` gives `isStdioMode`).
   */
  stdioSelectors?: string[];
  /**
   * TypeScript/JavaScript: the file hands schemas to an SDK `McpServer` (`registerTool` with an
   * `inputSchema`, a positional `server.tool(name, shape, ...)`, `registerPrompt` with
   * `argsSchema`), other than JSON Schema wrapped in `fromJsonSchema()`: the project's zod meets
   * the SDK's (MCP206).
   */
  sdkSchemas?: true;
  /**
   * Python: the mcp major version the file's imports prove (`mcp.server.fastmcp` exists only in
   * mcp 1.x, `mcp.server.mcpserver` only in 2.x), for helper modules it imports.
   */
  mcpMajor?: 1 | 2;
  /**
   * Python: decorators of this module that supply a decorated function's arguments themselves
   * (`@wraps(func)` wrapper calling `func(client, *args, **kwargs)`): the leading positional
   * arguments and keyword names they supply (MCP201 on tools decorated with them elsewhere).
   */
  injects?: Record<string, { leading: number; names: string[] }>;
  /**
   * Python: functions (`fetch`), class methods (`Client.search`) and methods of module-level
   * instances (`client.search`) that reach a call blocking the thread (`requests.get`), with that
   * call and its line, for async tools of other modules that call them (MCP301).
   */
  blocking?: Record<string, { call: string; line: number }>;
  /**
   * Python: direct calls that async tools here make into other modules (`lookup(name)`,
   * `client.search()`), as MCP301 hits still without a message: the project model keeps those whose
   * callee reaches a blocking call in the module that defines it (`blocking`) and words them.
   */
  /**
   * Python: functions and methods (keyed like `blocking`) that use a parameter as a filesystem path
   * without a containment check: its position after self/cls, its name, and the line of use.
   */
  pathParams?: Record<string, { index: number; name: string; line: number }[]>;
  /**
   * Python: calls that tools here make into other modules with a tool argument that can supply a
   * whole path component (per positional argument and keyword, the argument names it carries), as
   * MCP502 hits still without a message: kept when the callee uses that argument as a path
   * unchecked (`pathParams` of the defining module).
   */
  pathCalls?: {
    hit: RuleHit;
    via: {
      tool: string;
      display: string;
      line: number;
      name: string;
      member?: string;
      pos: string[][];
      kw: Record<string, string[]>;
    };
  }[];
  /**
   * Python: the module's functions that return a synchronous client they build
   * (`def get_service(): return build("calendar", "v3", ...)`), with its kind (MCP301).
   */
  clientFactories?: Record<string, { label: string; io: string; async?: string; line: number }>;
  /**
   * Python: calls that tools here make on what an imported function returned (`service =
   * get_service()` … `service.events().list().execute()`), as MCP301 hits still without a message:
   * the project model keeps those that wait on the kind of client that function returns.
   */
  clientCalls?: {
    hit: RuleHit;
    via: {
      tool: string;
      dispatcher?: boolean;
      /** A sync tool that the framework runs on the event loop: the runner. */
      sync?: string;
      display: string;
      line: number;
      factory: string;
      bindLine: number;
      verb: string;
      verbs: (string | null)[];
      count: number;
    };
  }[];
  callsImported?: {
    hit: RuleHit;
    via: {
      tool: string;
      display: string;
      line: number;
      awaited: boolean;
      /** A sync tool that the framework runs on the event loop: the runner (`mcp.server.fastmcp 1.x`). */
      sync?: string;
      /** The caller is a low-level `tools/call` dispatcher (`tool` names its function). */
      dispatcher?: boolean;
      name: string;
      member?: string;
    };
  }[];
  /**
   * Module-level pydantic settings objects (`settings = Settings()`, `class Settings(BaseSettings)`)
   * with their string field defaults and the environment variable that overrides each:
   * `{ settings: { host: { value: "127.0.0.1", env: "HOST" } } }`.
   */
  settingsDefaults?: Record<string, Record<string, { value: string; env: string }>>;
  /**
   * Python: the names the module binds at module level and what they are (a FastMCP/MCPServer
   * server, a low-level `mcp.server.Server`, a function, anything else); `open` when other names
   * may exist too (`from x import *`, a module `__getattr__`, `globals()`).
   */
  bindings?: {
    names: Record<string, 'server' | 'lowlevel' | 'function' | 'other'>;
    open?: true;
    /** Low-level servers registered with mcp 1.x decorators: the first decorator used (`call_tool`). */
    decorators?: Record<string, string>;
    /**
     * Module-level FastMCP/MCPServer servers: their class (`mcp1`: `mcp.server.fastmcp.FastMCP`,
     * `mcp2`: `MCPServer`, `fastmcp`: jlowin's) and whether the module authenticates their HTTP
     * requests, for a runner module that starts one of them (`from .server import mcp`).
     */
    servers?: Record<string, { cls: 'mcp1' | 'mcp2' | 'fastmcp'; auth?: true }>;
  };
}

/** Result of analyzing one source file. */
export interface FileAnalysis {
  file: string;
  language: Language;
  framework?: Framework;
  /** Server objects found (variable names), and the transport they start with. */
  servers: { name: string; range: Range; transport: 'stdio' | 'http' | 'sse' | 'unknown' | 'none' }[];
  definitions: Definition[];
  hits: RuleHit[];
  /** Import graph and start facts for the project model (absent when the file was not parsed). */
  module?: ModuleFacts;
}

/** One language's analyzer. Must never throw: a parse failure yields an empty analysis. */
export interface LanguageAnalyzer {
  readonly language: Language;
  /** File extensions handled, with the dot: `.py`, `.ts`... */
  readonly extensions: readonly string[];
  analyze(file: string, text: string, project: ProjectContext): Promise<FileAnalysis>;
  /**
   * Analyzes a file that does not use MCP itself but that a stdio server imports (Python helper
   * modules): only the stdout rules run. Optional: analyzers without it skip such files.
   */
  analyzeHelper?(file: string, text: string, project: ProjectContext): Promise<FileAnalysis>;
}

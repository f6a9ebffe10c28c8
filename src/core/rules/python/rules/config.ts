/** Config rules: arguments the installed framework rejects, deprecated SSE, bare decorators. */
import { field, named, type PyNode } from '../ast';
import type { PyFile } from '../context';
import { externalStarts, isMcpServerClass, type ServerFact } from '../servers';
import { addKeyword, edit, fix, fixes, replaceNode } from '../fixes';
import { mcpV1OnV2 } from './mcpMajor';
import { branchExcludesStdio } from '../branches';
import { frameworkVersion, versionAtLeast } from './util';

/** Removes a keyword argument together with its separating comma. */
function removeKeyword(py: PyFile, call: PyNode, kwNode: PyNode) {
  const items = named(py.args(call)).filter((c) => c.type !== 'comment');
  const i = items.indexOf(kwNode);
  if (i < 0) return undefined;
  if (i > 0) return edit(py, items[i - 1].end, kwNode.end, '');
  if (items.length > 1) return edit(py, kwNode.start, items[1].start, '');
  return edit(py, kwNode.start, kwNode.end, '');
}

const FASTMCP_MOVED = [
  'host',
  'port',
  'log_level',
  'path',
  'sse_path',
  'message_path',
  'streamable_http_path',
  'json_response',
  'stateless_http',
  'debug',
  'include_tags',
  'exclude_tags',
  'on_duplicate_tools',
  'on_duplicate_resources',
  'on_duplicate_prompts',
  'dependencies',
];
/** Where fastmcp 3+ takes the constructor settings that are not run() arguments (fastmcp 4.0.10's own advice). */
const SETTING_ADVICE: Record<string, string> = {
  include_tags: 'Call `server.enable(tags=..., only=True)` after creating the server instead.',
  exclude_tags: 'Call `server.disable(tags=...)` after creating the server instead.',
  on_duplicate_tools: 'Use on_duplicate= instead.',
  on_duplicate_resources: 'Use on_duplicate= instead.',
  on_duplicate_prompts: 'Use on_duplicate= instead.',
  debug: 'Set FASTMCP_DEBUG instead.',
  message_path: 'Set FASTMCP_MESSAGE_PATH instead.',
};
const RUN_SETTINGS = new Set(['host', 'port', 'log_level', 'path', 'json_response', 'stateless_http']);
/** fastmcp methods that build an ASGI app, and the moved settings they take (`http_app(path, json_response, stateless_http)`). */
const APP_METHODS = new Set(['http_app', 'streamable_http_app', 'sse_app']);
const APP_SETTINGS = new Set(['path', 'json_response', 'stateless_http']);
const TRANSPORTS: Record<ServerFact['framework'], string[]> = {
  fastmcp: ['stdio', 'http', 'sse', 'streamable-http'],
  'mcp-python-sdk': ['stdio', 'sse', 'streamable-http'],
};

/**
 * The transport settings of mcp 1.x `FastMCP(...)` that mcp 2.x `MCPServer.__init__` no longer
 * takes (checked on mcp 2.3: TypeError, unexpected keyword argument); they are keyword arguments
 * of `run(transport=..., ...)` / `streamable_http_app(...)` / `sse_app(...)` there.
 */
const MCPSERVER_MOVED = new Set([
  'host',
  'port',
  'mount_path',
  'sse_path',
  'message_path',
  'streamable_http_path',
  'json_response',
  'stateless_http',
  'event_store',
  'retry_interval',
  'transport_security',
]);

/** MCP602 on an mcp 2.x MCPServer: the 1.x transport settings its constructor rejects. */
function mcpServerCtor(py: PyFile, s: ServerFact, ctor: PyNode): void {
  const runCalls = s.starts.filter((st) => st.node.type === 'call' && st.method === 'run').map((st) => st.node);
  for (const kn of named(py.args(ctor)).filter((c) => c.type === 'keyword_argument')) {
    const key = py.text(kn.children.find((c) => c.field === 'name')!);
    if (!MCPSERVER_MOVED.has(key)) continue;
    const target = runCalls.length === 1 ? runCalls[0] : undefined;
    py.hit(
      'MCP602',
      kn,
      `MCPServer(${key}=...) on line ${py.line(kn)}: mcp 2.x (MCPServer is imported from mcp.server.mcpserver, which only mcp 2.x has) moved the transport settings out of the constructor, so this raises TypeError (unexpected keyword argument '${key}') and the server never starts. Pass ${key}= to ${s.name}.run(transport="streamable-http", ...) (or to streamable_http_app()/sse_app()) instead.`,
      {
        fixes: target
          ? fixes(
              fix(
                `Move ${key}= to ${s.name}.run()`,
                removeKeyword(py, ctor, kn),
                [addKeyword(py, target, py.text(kn))],
                true,
              ),
            )
          : undefined,
      },
    );
  }
}

/** MCP602: constructor/run() arguments or transport names the installed framework rejects. */
export function mcp602(py: PyFile): void {
  mcpV1OnV2(py);
  importedRunSettings(py);
  for (const s of py.servers) {
    if (s.imported) continue;
    const version = frameworkVersion(py, s.framework);
    const runCalls = s.starts
      .filter(
        (st) =>
          st.node.type === 'call' &&
          (st.method === 'run' || st.method === 'run_async' || st.method === 'run_http_async'),
      )
      .map((st) => st.node);
    const v2Class = isMcpServerClass(py, s);
    if (s.ctor && v2Class) mcpServerCtor(py, s, s.ctor);
    else if (s.ctor) {
      const kwNodes = named(py.args(s.ctor)).filter((c) => c.type === 'keyword_argument');
      for (const kn of kwNodes) {
        const key = py.text(kn.children.find((c) => c.field === 'name')!);
        if (s.framework === 'fastmcp' && FASTMCP_MOVED.includes(key)) {
          const v3 = versionAtLeast(version, '3.0.0');
          // `dependencies` was deprecated later than the transport settings (2.11.4, for fastmcp.json).
          const deps = key === 'dependencies';
          if (v3 === false && versionAtLeast(version, deps ? '2.11.4' : '2.3.0') === false) continue; // still a constructor setting there
          const target = runCalls.length === 1 && RUN_SETTINGS.has(key) ? runCalls[0] : undefined;
          const moved = deps
            ? 'deprecates it from 2.11.4 (DeprecationWarning) and 3.x raises TypeError'
            : `moved ${RUN_SETTINGS.has(key) ? 'transport settings' : 'this setting'} out of the constructor (2.x warns, 3.x raises TypeError)`;
          // A server served as an ASGI app (`uvicorn.run(mcp.http_app(...))`) has no run() to take it.
          const app = !runCalls.length ? s.starts.find((st) => APP_METHODS.has(st.method)) : undefined;
          const instead = deps
            ? 'Declare the packages in fastmcp.json (environment.dependencies) instead.'
            : RUN_SETTINGS.has(key) && app
              ? APP_SETTINGS.has(key) && (app.method !== 'sse_app' || key === 'path')
                ? `Pass ${key}= to ${s.name}.${app.method}(...) instead.`
                : `Set it where the app is served (uvicorn.run(..., ${key}=...)) instead.`
              : RUN_SETTINGS.has(key)
                ? `Pass ${key}= to ${s.name}.run(...) instead.`
                : (SETTING_ADVICE[key] ?? 'Configure it through fastmcp settings / run() instead.');
          py.hit(
            'MCP602',
            kn,
            `FastMCP(${key}=...) on line ${py.line(kn)}: fastmcp ${v3 ? `${version} rejects it (TypeError: ${deps ? `FastMCP() got unexpected keyword argument(s): '${key}'` : `FastMCP() no longer accepts \`${key}\``})` : moved}, so the server ${v3 ? 'does not start' : 'breaks on upgrade'}. ${instead}`,
            {
              downgrade: v3 !== true,
              fixes: target
                ? fixes(
                    fix(
                      `Move ${key}= to ${s.name}.run()`,
                      removeKeyword(py, s.ctor, kn),
                      [addKeyword(py, target, py.text(kn))],
                      true,
                    ),
                  )
                : undefined,
            },
          );
        } else if (key === 'description' || (key === 'version' && s.framework === 'mcp-python-sdk')) {
          // mcp 1.12.3 made FastMCP's settings explicit keyword parameters; before, `**settings`
          // took and ignored unknown ones. Only a proven version at or past it is an error.
          const raises = s.framework === 'mcp-python-sdk' ? versionAtLeast(version, '1.12.3') : undefined;
          const when =
            raises === true
              ? `mcp ${version} fails at startup with TypeError (unexpected keyword argument '${key}')`
              : s.framework === 'mcp-python-sdk'
                ? `mcp 1.12.3 and later fail at startup with TypeError (unexpected keyword argument '${key}'), ${raises === false ? `and the project's mcp ${version} silently ignores it` : 'older releases silently ignore it, and the project does not pin which one it gets'}`
                : `current versions fail at startup with TypeError (unexpected keyword argument '${key}'), older ones silently ignore it`;
          py.hit(
            'MCP602',
            kn,
            `FastMCP(${key}=...) on line ${py.line(kn)} is not a constructor argument of ${s.framework === 'fastmcp' ? 'fastmcp' : 'mcp.server.fastmcp'}: ${when}. ${key === 'description' ? 'Use instructions= for the server description.' : 'Remove it.'}`,
            {
              downgrade: s.framework === 'mcp-python-sdk' && raises !== true,
              fixes:
                key === 'description'
                  ? fixes(
                      fix(
                        'Use instructions=',
                        replaceNode(
                          py,
                          kn.children.find((c) => c.field === 'name')!,
                          'instructions',
                        ),
                        [],
                        true,
                      ),
                    )
                  : fixes(fix(`Remove ${key}=`, removeKeyword(py, s.ctor, kn))),
            },
          );
        }
      }
    }
    for (const st of s.starts) {
      if (st.node.type !== 'call') continue;
      const call = st.node;
      // MCPServer.run(transport, **kwargs) passes host/port on to the HTTP transports (mcp 2.x).
      if (s.framework === 'mcp-python-sdk' && st.method === 'run' && !v2Class) {
        for (const key of ['host', 'port']) {
          const kn = py.kwargNode(call, key);
          if (!kn) continue;
          py.hit(
            'MCP602',
            kn,
            `${s.name}.run(${key}=...) on line ${py.line(kn)}: the official SDK's run() accepts only transport (and mount_path), so this raises TypeError and the server never starts. Pass ${key}= to FastMCP(...) instead.`,
            {
              fixes: s.ctor
                ? fixes(
                    fix(
                      `Move ${key}= to FastMCP(...)`,
                      removeKeyword(py, call, kn),
                      [addKeyword(py, s.ctor, py.text(kn))],
                      true,
                    ),
                  )
                : undefined,
            },
          );
        }
      }
      if (s.framework === 'fastmcp' && (st.method === 'run' || st.method === 'run_async'))
        fastmcpStdioKwargs(py, s, st);
      const lit = py.str(st.transportArg);
      if (st.transportArg && lit !== undefined && !TRANSPORTS[s.framework].includes(lit)) {
        const valid = TRANSPORTS[s.framework];
        const repl = /^(streamable[_-]?http|https?)$/i.test(lit)
          ? s.framework === 'fastmcp'
            ? 'http'
            : 'streamable-http'
          : undefined;
        py.hit(
          'MCP602',
          st.transportArg,
          `transport="${lit}" on line ${py.line(call)} is not a transport ${s.framework === 'fastmcp' ? 'fastmcp' : 'mcp.server.fastmcp'} knows (ValueError: Unknown transport), so the server exits at startup. Use one of ${valid.map((v) => `"${v}"`).join(', ')}.`,
          {
            fixes: repl
              ? fixes(fix(`Use transport="${repl}"`, replaceNode(py, st.transportArg, `"${repl}"`), [], true))
              : undefined,
          },
        );
      }
    }
  }
}

/**
 * MCP602 in a runner module: `from .server import mcp` … `mcp.run(transport="sse",
 * host="0.0.0.0")`. The arguments are written here; whether run() takes them depends on the
 * server's class in its own module, so the hit waits for the project model
 * (`data.importedServer.cls`): the official SDK's 1.x FastMCP.run() takes only transport and
 * mount_path.
 */
export function importedRunSettings(py: PyFile): void {
  for (const st of externalStarts(py)) {
    if (!st.imported || st.method !== 'run') continue;
    const obj = py.text(field(field(st.call, 'function')!, 'object')!);
    for (const key of ['host', 'port']) {
      const kn = py.kwargNode(st.call, key);
      if (!kn) continue;
      py.hit(
        'MCP602',
        kn,
        `${obj}.run(${key}=...) on line ${py.line(kn)}: ${obj} is the official SDK's FastMCP (mcp 1.x, built in the module it is imported from), whose run() accepts only transport (and mount_path), so this call raises TypeError before the server starts. Pass ${key}= to FastMCP(...) in that module instead.`,
        { data: { importedServer: { name: st.imported, cls: ['mcp1'] } } },
      );
    }
  }
}

/** Keyword arguments fastmcp's `run_stdio_async()` takes (checked on fastmcp 4.0.10). */
const FASTMCP_STDIO_KWARGS = new Set(['transport', 'show_banner', 'log_level', 'stateless']);

/**
 * MCP602 on fastmcp `run(...)`/`run_async(...)` over stdio with HTTP settings (`host=`, `port=`):
 * run_async() passes its extra keyword arguments to `run_stdio_async()`, which takes only
 * show_banner, log_level and stateless, so the server raises TypeError before it serves (checked
 * on fastmcp 4.0.10: "run_stdio_async() got an unexpected keyword argument 'host'"). A computed
 * transport (an environment variable) applies when it is stdio; a version other than 4 not proven
 * to behave so lowers the finding, an older proven one is left alone.
 */
function fastmcpStdioKwargs(py: PyFile, s: ServerFact, st: ServerFact['starts'][number]): void {
  if (st.transport !== 'stdio' && st.transport !== 'unknown') return;
  // `if transport == "stdio": mcp.run() else: mcp.run(transport=transport, host=...)`.
  if (st.transport === 'unknown' && st.transportArg && branchExcludesStdio(py, st.node, [py.text(st.transportArg)]))
    return;
  const version = frameworkVersion(py, 'fastmcp');
  const v4 = versionAtLeast(version, '4.0.0');
  if (v4 === false) return;
  const call = st.node;
  const bad = named(py.args(call)).filter((c) => {
    if (c.type !== 'keyword_argument') return false;
    return !FASTMCP_STDIO_KWARGS.has(py.text(c.children.find((x) => x.field === 'name')!));
  });
  if (!bad.length) return;
  const keys = bad.map((c) => py.text(c.children.find((x) => x.field === 'name')!));
  const first = keys[0]!;
  const when =
    st.transport === 'unknown'
      ? ' when the transport is stdio (transport= is computed here; fastmcp defaults to stdio),'
      : '';
  py.hit(
    'MCP602',
    bad[0]!,
    `${s.name}.run(${keys.map((k) => `${k}=`).join(', ')}) on line ${py.line(call)}:${when} fastmcp ${version && v4 ? version : '4'} passes these to run_stdio_async(), which takes only show_banner, log_level and stateless, so startup raises "TypeError: TransportMixin.run_stdio_async() got an unexpected keyword argument '${first}'" and the server never serves. Pass ${keys.join('/')} only when the transport is HTTP (for example **({"host": host, "port": port} if transport != "stdio" else {})).`,
    { downgrade: st.transport === 'unknown' || v4 !== true },
  );
}

/** MCP603: the deprecated HTTP+SSE transport. */
export function mcp603(py: PyFile): void {
  for (const s of py.servers) {
    const version = frameworkVersion(py, s.framework);
    for (const st of s.starts) {
      // `transport="sse" if args.sse else "stdio"`: the SSE branch is still a deprecated transport.
      const sseBranch =
        st.transport === 'unknown' && st.transportArg?.type === 'conditional_expression'
          ? named(st.transportArg).find((b) => py.str(b) === 'sse')
          : undefined;
      if (st.transport !== 'sse' && !sseBranch) continue;
      const at = sseBranch ?? st.transportArg ?? st.node;
      const canHttp = s.framework === 'mcp-python-sdk' || versionAtLeast(version, '2.3.0') !== false;
      const repl = s.framework === 'fastmcp' ? 'http' : 'streamable-http';
      const f =
        !sseBranch && st.transportArg && py.str(st.transportArg) !== undefined && canHttp
          ? fix(`Use transport="${repl}"`, replaceNode(py, st.transportArg, `"${repl}"`), [], true)
          : undefined;
      py.hit(
        'MCP603',
        at,
        `${s.name} uses the HTTP+SSE transport (line ${py.line(at)}), deprecated since protocol 2025-03-26: clients are dropping it, it cannot run stateless or scale across workers, and long-lived SSE streams get cut by proxies. Switch to Streamable HTTP (transport="${repl}") and point clients at /mcp.`,
        {
          fixes: fixes(f),
        },
      );
    }
  }
  for (const call of py.calls) {
    if (!/(^|\.)SseServerTransport$/.test(py.callee(call) ?? '')) continue;
    py.hit(
      'MCP603',
      call,
      `SseServerTransport on line ${py.line(call)} is the deprecated HTTP+SSE transport (replaced by Streamable HTTP in protocol 2025-03-26); clients are dropping it. Use the Streamable HTTP session manager instead.`,
      {},
    );
  }
}

/** MCP605: bare `@mcp.tool` / `@mcp.prompt` / `@mcp.resource` where the framework needs a call. */
export function mcp605(py: PyFile): void {
  for (const d of py.definitions) {
    if (!d.bare || d.registration.parent?.type !== 'decorator') continue;
    const s = d.server;
    const method = d.def.kind === 'resourceTemplate' ? 'resource' : d.def.kind;
    const version = frameworkVersion(py, s.framework);
    let requires: boolean;
    let why: string;
    if (method === 'resource') {
      requires = true;
      why = 'resources always need a URI argument';
    } else if (s.framework === 'mcp-python-sdk') {
      requires = true;
      why = 'in mcp.server.fastmcp it is a decorator factory';
    } else {
      requires = versionAtLeast(version, '2.7.0') === false;
      why = `fastmcp ${version} (before 2.7) only supports the called form`;
    }
    if (!requires) continue;
    const dec = d.registration;
    py.hit(
      'MCP605',
      dec.parent!,
      `@${py.text(dec)} on line ${py.line(dec)} is used without parentheses, but ${why}: importing the module raises "TypeError: The @${method} decorator was used incorrectly. Did you forget to call it?" and the server never starts. Write @${py.text(dec)}(${method === 'resource' ? '"scheme://..."' : ''}).`,
      {
        fixes:
          method === 'resource'
            ? undefined
            : fixes(fix(`Use @${py.text(dec)}()`, edit(py, dec.end, dec.end, '()'), [], true)),
      },
    );
  }
}

/**
 * HTTP plumbing: MCP106 (loopback binds in a container), MCP107 (mounted app without its
 * lifespan), MCP108 (DNS-rebinding validation), MCP109 (CORS hiding Mcp-Session-Id) and MCP110
 * (stateful sessions across workers), with the project's Dockerfile they read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { field, named, type PyNode } from '../../ast';
import type { PyFile } from '../../context';
import { isMcpServerClass, type ServerFact } from '../../servers';
import { addKeyword, fix, fixes, replaceNode } from '../../fixes';
import {
  frameworkVersion,
  hostValue,
  identifiersIn,
  isLoopback,
  numberValue,
  settingsHosts,
  versionAtLeast,
} from '../util';
import { containerEntries, notRunByContainer, servedOnlyAsScript } from './container';

// ---- MCP106 ----------------------------------------------------------------------------------

interface Dockerfile {
  path?: string;
  text?: string;
  /** The modules the container command runs; undefined when it cannot be told. */
  entries?: string[];
}

/** The project's Dockerfile (path and text), when the project context knows one. */
export function dockerfileOf(py: PyFile): Dockerfile | undefined {
  const d = py.project.deployment.dockerfile ?? py.project.deployment.compose;
  if (!d) return undefined;
  if (d.includes('\n')) return { text: d };
  const p = path.isAbsolute(d) ? d : path.join(py.project.root, d);
  try {
    const text = fs.readFileSync(p, 'utf8');
    const compose = py.project.deployment.dockerfile ? readCompose(py) : undefined;
    const entries = py.project.deployment.dockerfile ? containerEntries(text, p, py.project.root, compose) : undefined;
    return { path: p, text, entries };
  } catch {
    return { path: p };
  }
}

function readCompose(py: PyFile): string | undefined {
  const c = py.project.deployment.compose;
  if (!c) return undefined;
  if (c.includes('\n')) return c;
  try {
    return fs.readFileSync(path.isAbsolute(c) ? c : path.join(py.project.root, c), 'utf8');
  } catch {
    return undefined;
  }
}

/** MCP106 (code half): HTTP servers bound to loopback; the engine pairs them with container facts. */
export function mcp106(py: PyFile): void {
  const docker = dockerfileOf(py);
  const overridden =
    !!docker?.text && /(--host[= ]+0\.0\.0\.0|FASTMCP_HOST=["']?0\.0\.0\.0|HOST=["']?0\.0\.0\.0)/.test(docker.text);
  const report = (node: PyNode, host: string | undefined, what: string, fixEdit: ReturnType<typeof addKeyword>) => {
    // Loopback is the secure default: without container evidence (a Dockerfile or compose
    // file for this project) there is nothing to report.
    if (!docker || (host === undefined && overridden)) return;
    const shown = host ?? '127.0.0.1 (the default)';
    const container = docker
      ? `The project has a container build (${docker.path ? path.basename(docker.path) : 'Dockerfile'}), and inside`
      : 'Inside';
    py.hit(
      'MCP106',
      node,
      `${what} binds ${shown}. ${container} a container a loopback-bound server is unreachable through a published port (docker run -p gives "connection refused"). Bind host="0.0.0.0" in the container and publish it as -p 127.0.0.1:PORT:PORT.`,
      {
        downgrade: !docker,
        data: { loopbackBind: true, host: host ?? '127.0.0.1', defaulted: host === undefined },
        fixes: docker ? fixes(fix('Bind 0.0.0.0 (container)', fixEdit, [], true)) : undefined,
      },
    );
  };
  /**
   * A host read from a settings field or an option whose default is loopback (`settings.host`
   * with `host: str = "127.0.0.1"` in a `BaseSettings`): reported when the container build does not
   * set the variable or flag that overrides it.
   */
  const reportDefault = (h: PyNode, what: string) => {
    const hv = hostValue(py, h);
    if (docker && !overridden && hv.value === undefined && importedSettings(py, h)) {
      // `settings.host` from another module: the project model reads the default there.
      const [name, fieldName] = importedSettings(py, h)!;
      py.hit('MCP106', h, `${what} binds ${py.text(h)}.`, {
        data: {
          loopbackBind: true,
          defaulted: false,
          pendingSettings: {
            name,
            field: fieldName,
            what,
            container: docker.path ? path.basename(docker.path) : 'Dockerfile',
          },
          containerEnv: containerEnvNames(docker.text ?? ''),
        },
      });
      return;
    }
    if (!docker || !isLoopback(hv.value) || (!hv.env && !hv.flag)) return;
    const text = docker.text ?? '';
    if (hv.env && new RegExp(`\\b${hv.env.replace(/[^\w]/g, '\\$&')}\\s*[=:]`, 'i').test(text)) return;
    if (hv.flag && text.includes(hv.flag)) return;
    if (overridden) return;
    const how = hv.env ? `the environment variable ${hv.env}` : `the option ${hv.flag}`;
    py.hit(
      'MCP106',
      h,
      `${what} binds ${py.text(h)}, which defaults to ${hv.value} unless ${how} overrides it, and the container build (${docker.path ? path.basename(docker.path) : 'Dockerfile'}) does not set it. Inside a container a loopback-bound server is unreachable through a published port (docker run -p gives "connection refused"). Set ${hv.env ? `${hv.env}=0.0.0.0 in the image (ENV)` : `${hv.flag} 0.0.0.0 in the container command`} and publish the port as -p 127.0.0.1:PORT:PORT.`,
      { data: { loopbackBind: true, host: hv.value, defaulted: false } },
    );
  };
  for (const s of py.servers) {
    // A developer run (`__main__`) of a module the container does not run: loopback is right.
    if (notRunByContainer(py, s, docker?.entries)) continue;
    if (s.imported) {
      // A server made in another module, started here with an explicit host: the bind is here.
      for (const st of s.starts) {
        if ((st.transport !== 'http' && st.transport !== 'sse') || st.node.type !== 'call') continue;
        const h = py.kwargs(st.node).get('host');
        if (!h) continue;
        const v = py.str(h);
        const what = `${s.name}.${st.method}() on line ${py.line(st.node)}`;
        if (v !== undefined && isLoopback(v)) report(h, v, what, replaceNode(py, h, '"0.0.0.0"'));
        else if (v === undefined) reportDefault(h, what);
      }
      continue;
    }
    const ctorHost = s.ctor ? py.kwargs(s.ctor).get('host') : undefined;
    for (const st of s.starts) {
      if (
        (st.transport !== 'http' && st.transport !== 'sse') ||
        st.node.type !== 'call' ||
        !st.method.startsWith('run')
      )
        continue;
      if (s.framework === 'fastmcp') {
        const h = py.kwargs(st.node).get('host') ?? ctorHost;
        if (h) {
          const v = py.str(h);
          if (v !== undefined && isLoopback(v))
            report(h, v, `${s.name}.${st.method}() on line ${py.line(st.node)}`, replaceNode(py, h, '"0.0.0.0"'));
          else if (v === undefined) reportDefault(h, `${s.name}.${st.method}() on line ${py.line(st.node)}`);
        } else if (!py.hasSplat(st.node)) {
          report(
            st.node,
            undefined,
            `${s.name}.${st.method}() on line ${py.line(st.node)}`,
            addKeyword(py, st.node, 'host="0.0.0.0"'),
          );
        }
      } else if (s.ctor) {
        // mcp 1.x FastMCP.run(host=...) raises before it binds (MCP602): where it would bind is moot.
        if (st.method === 'run' && py.kwargs(st.node).has('host') && !isMcpServerClass(py, s)) continue;
        // mcp 1.x FastMCP serves on `settings.host`, set here before run(): not the default.
        if (!isMcpServerClass(py, s) && settingsHosts(py, s.name).length) continue;
        if (ctorHost) {
          const v = py.str(ctorHost);
          if (v !== undefined && isLoopback(v))
            report(ctorHost, v, `Server '${s.name}' (line ${py.line(s.ctor)})`, replaceNode(py, ctorHost, '"0.0.0.0"'));
        } else if (!py.hasSplat(s.ctor)) {
          report(
            s.ctor,
            undefined,
            `Server '${s.name}' (line ${py.line(s.ctor)}) runs over HTTP and`,
            addKeyword(py, s.ctor, 'host="0.0.0.0"'),
          );
        }
        break;
      }
    }
  }
  // A runner module: `from app import mcp` ... `mcp.run(transport="http", host=settings.host)`.
  const own = new Set(py.servers.map((s) => s.name));
  for (const c of py.calls) {
    const fnNode = field(c, 'function');
    if (fnNode?.type !== 'attribute') continue;
    const obj = field(fnNode, 'object');
    const method = py.text(field(fnNode, 'attribute') ?? fnNode);
    if (obj?.type !== 'identifier' || (method !== 'run' && method !== 'run_async')) continue;
    const name = py.text(obj);
    if (own.has(name) || !py.imports.has(name)) continue;
    const transport = py.str(py.kwargs(c).get('transport') ?? py.positional(c)[0]);
    if (!transport || !['http', 'sse', 'streamable-http'].includes(transport)) continue;
    const h = py.kwargs(c).get('host');
    if (!h) continue;
    const v = py.str(h);
    const what = `${name}.${method}() on line ${py.line(c)}`;
    if (v !== undefined && isLoopback(v)) report(h, v, what, replaceNode(py, h, '"0.0.0.0"'));
    else if (v === undefined) reportDefault(h, what);
  }
  const devRun = servedOnlyAsScript(py, docker?.entries);
  for (const call of py.calls) {
    if (py.callee(call) !== 'uvicorn.run' || devRun) continue;
    const h = py.kwargs(call).get('host');
    if (h) {
      const v = py.str(h);
      if (v !== undefined && isLoopback(v))
        report(h, v, `uvicorn.run() on line ${py.line(call)}`, replaceNode(py, h, '"0.0.0.0"'));
    } else if (!py.hasSplat(call)) {
      report(call, undefined, `uvicorn.run() on line ${py.line(call)}`, addKeyword(py, call, 'host="0.0.0.0"'));
    }
  }
}

// ---- MCP107 ----------------------------------------------------------------------------------

/** MCP107: Streamable HTTP app mounted into FastAPI/Starlette without its lifespan. */
export function mcp107(py: PyFile): void {
  const appCtors = py.calls.filter((c) => /(^|\.)(FastAPI|Starlette)$/.test(py.callee(c) ?? ''));
  if (!appCtors.length) return;
  for (const s of py.servers) {
    for (const st of s.starts) {
      if (
        st.node.type !== 'call' ||
        (st.method !== 'http_app' && st.method !== 'streamable_http_app') ||
        st.transport === 'sse'
      )
        continue;
      const call = st.node;
      let varName: string | undefined;
      if (call.parent?.type === 'assignment' && field(call.parent, 'right') === call) {
        const left = field(call.parent, 'left');
        if (left?.type === 'identifier') varName = py.text(left);
      }
      // Where is it mounted?
      const mounts: PyNode[] = [];
      const direct = mountCallAround(py, call);
      if (direct) mounts.push(direct);
      if (varName) {
        for (const c of py.calls) {
          const q = py.callee(c) ?? '';
          const fnNode = field(c, 'function');
          const isMount =
            /(^|\.)Mount$/.test(q) ||
            (fnNode?.type === 'attribute' && py.text(field(fnNode, 'attribute')!) === 'mount');
          if (isMount && named(py.args(c)).some((a) => identifiersIn(py, a).includes(varName!))) mounts.push(c);
        }
      }
      for (const mount of mounts) {
        const ctor = appFor(py, mount, appCtors);
        if (!ctor) continue;
        const lifespan = py.kwargs(ctor).get('lifespan');
        if (lifespan && lifespanOk(py, lifespan, varName, s)) continue;
        const fixEdit =
          !lifespan && varName && s.framework === 'fastmcp'
            ? addKeyword(py, ctor, `lifespan=${varName}.lifespan`)
            : undefined;
        py.hit(
          'MCP107',
          mount,
          `${s.name}.${st.method}() is mounted on line ${py.line(mount)}, but the ${py.callee(ctor)?.split('.').pop()} app on line ${py.line(ctor)} ${lifespan ? "has a lifespan that does not run the MCP app's lifespan" : 'has no lifespan='}: mounted apps' lifespans do not run, so the session manager never starts and every request fails with "Task group is not initialized". ${s.framework === 'fastmcp' ? `Pass lifespan=${varName ?? 'mcp_app'}.lifespan` : `Use a lifespan that runs \`async with ${s.name}.session_manager.run(): yield\``}.`,
          {
            fixes: fixes(fix(`Pass lifespan=${varName}.lifespan`, fixEdit, [], true)),
          },
        );
      }
    }
  }
}

function mountCallAround(py: PyFile, node: PyNode): PyNode | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'call') {
      const q = py.callee(p) ?? '';
      const fnNode = field(p, 'function');
      if (/(^|\.)Mount$/.test(q) || (fnNode?.type === 'attribute' && py.text(field(fnNode, 'attribute')!) === 'mount'))
        return p;
      return undefined;
    }
    if (p.type === 'function_definition' || p.type === 'expression_statement') return undefined;
  }
  return undefined;
}

/** The FastAPI/Starlette constructor a mount belongs to: the enclosing one, or `x` of `x.mount(...)`. */
function appFor(py: PyFile, mount: PyNode, ctors: PyNode[]): PyNode | undefined {
  for (let p = mount.parent; p; p = p.parent) if (ctors.includes(p)) return p;
  const fnNode = field(mount, 'function');
  if (fnNode?.type === 'attribute') {
    const obj = field(fnNode, 'object');
    if (obj?.type === 'identifier') {
      const name = py.text(obj);
      return ctors.find((c) => c.parent?.type === 'assignment' && py.text(field(c.parent, 'left')!) === name);
    }
  }
  // `routes = [Mount(...)]` then Starlette(routes=routes)
  const assign = mount.parent?.parent?.type === 'assignment' ? mount.parent.parent : undefined;
  const routesVar = assign ? field(assign, 'left') : undefined;
  if (routesVar?.type === 'identifier') {
    const name = py.text(routesVar);
    return ctors.find((c) => named(py.args(c)).some((a) => identifiersIn(py, a).includes(name)));
  }
  return undefined;
}

function lifespanOk(py: PyFile, lifespan: PyNode, varName: string | undefined, s: ServerFact): boolean {
  const text = py.text(lifespan);
  if (varName && text.includes(varName)) return true;
  if (/lifespan|session_manager|combine/.test(text) && lifespan.type !== 'identifier') return true;
  if (lifespan.type === 'identifier') {
    const fn = py.moduleFunctions.get(text);
    if (!fn) return true; // imported: cannot tell
    const body = py.text(fn.body);
    return (
      body.includes('session_manager') ||
      body.includes('.lifespan') ||
      body.includes('lifespan_context') ||
      body.includes(s.name)
    );
  }
  return true;
}

// ---- MCP108 ----------------------------------------------------------------------------------

/** MCP108: DNS-rebinding (Host/Origin) validation too strict for a deployment, or switched off. */
export function mcp108(py: PyFile): void {
  const docker = dockerfileOf(py);
  for (const s of py.servers) {
    if (s.imported || !s.ctor || s.framework !== 'mcp-python-sdk') continue;
    const http = s.starts.some((st) => st.transport === 'http' || st.transport === 'sse');
    if (!http || !docker || notRunByContainer(py, s, docker.entries) || servedOnlyAsScript(py, docker.entries))
      continue;
    // The server binds itself (`mcp.run(...)`): in the container it listens on loopback (MCP106:
    // refused before any Host check), or a FASTMCP_HOST override also turns the allow-list off.
    // A 421 needs an app served on another address (`uvicorn.run(mcp.sse_app(), host="0.0.0.0")`).
    const web = s.starts.filter((st) => st.transport === 'http' || st.transport === 'sse');
    if (web.every((st) => st.node.type === 'call' && st.method.startsWith('run'))) continue;
    const kw = py.kwargs(s.ctor);
    if (kw.has('transport_security') || py.hasSplat(s.ctor)) continue;
    // FastMCP arms the localhost-only check from mcp 1.23.0 (CVE-2025-66416); `version=` or
    // `description=` in the constructor raise from 1.12.3 (MCP602), so no release that runs
    // this constructor checks the Host.
    const version = frameworkVersion(py, 'mcp-python-sdk');
    const checks = versionAtLeast(version, '1.23.0');
    if (checks === false || kw.has('version') || kw.has('description')) continue;
    const host = kw.get('host');
    const hv = host ? py.str(host) : '127.0.0.1';
    if (hv === undefined || !isLoopback(hv)) continue;
    py.hit(
      'MCP108',
      s.ctor,
      `Server '${s.name}' runs over HTTP with the default host (${hv}), so ${checks ? `the SDK (mcp ${version})` : 'the SDK (mcp 1.23.0 and later; the project does not pin its version)'} enables localhost-only Host validation; deployed behind the project's container, a proxy or a custom domain every request is rejected with 421 "Invalid Host header". Pass transport_security=TransportSecuritySettings(allowed_hosts=[...], allowed_origins=[...]) listing the public host.`,
      { downgrade: !checks },
    );
  }
  for (const call of py.calls) {
    if (!/(^|\.)TransportSecuritySettings$/.test(py.callee(call) ?? '')) continue;
    const off = py.kwargs(call).get('enable_dns_rebinding_protection');
    if (!off || off.type !== 'false') continue;
    const authed = py.servers.some(
      (s) => s.ctor && ['auth', 'token_verifier', 'auth_server_provider'].some((k) => py.kwargs(s.ctor!).has(k)),
    );
    if (authed) continue;
    py.hit(
      'MCP108',
      off,
      `enable_dns_rebinding_protection=False on line ${py.line(off)} turns off Host/Origin checks on a server without authentication: any web page can reach a localhost MCP server through DNS rebinding and call its tools. Keep protection on and list the allowed hosts and origins.`,
      {
        fixes: fixes(fix('Enable DNS-rebinding protection', replaceNode(py, off, 'True'), [], true)),
      },
    );
  }
}

// ---- MCP109 ----------------------------------------------------------------------------------

/** MCP109: CORS middleware that hides Mcp-Session-Id from browser clients. */
export function mcp109(py: PyFile): void {
  if (
    !py.servers.some(
      (s) =>
        !s.stateless && (s.imported || s.starts.some((st) => st.transport === 'http' || st.transport === 'unknown')),
    )
  )
    return;
  for (const call of py.calls) {
    const pos = py.positional(call);
    const q = py.callee(call) ?? '';
    const isCors =
      (/(^|\.)Middleware$/.test(q) || /\.add_middleware$/.test(py.text(field(call, 'function')!))) &&
      pos[0] &&
      /(^|\.)CORSMiddleware$/.test(py.qualify(pos[0]) ?? '');
    if (!isCors || py.hasSplat(call)) continue;
    const kw = py.kwargs(call);
    const expose = kw.get('expose_headers');
    const exposeText = expose ? py.text(expose).toLowerCase() : '';
    if (!expose || (!exposeText.includes('mcp-session-id') && !/["']\*["']/.test(exposeText))) {
      py.hit(
        'MCP109',
        call,
        `CORSMiddleware on line ${py.line(call)} does not list Mcp-Session-Id in expose_headers: browser clients (MCP Inspector, web apps) cannot read the session id returned by initialize, so their next request fails with "Missing session ID". Add expose_headers=["Mcp-Session-Id"].`,
        {
          fixes: expose
            ? undefined
            : fixes(fix('Expose Mcp-Session-Id', addKeyword(py, call, 'expose_headers=["Mcp-Session-Id"]'), [], true)),
        },
      );
    }
    const allow = kw.get('allow_headers');
    if (allow) {
      const t = py.text(allow).toLowerCase();
      if (!/["']\*["']/.test(t) && (!t.includes('mcp-session-id') || !t.includes('mcp-protocol-version'))) {
        py.hit(
          'MCP109',
          allow,
          `allow_headers on line ${py.line(allow)} omits ${!t.includes('mcp-session-id') ? 'mcp-session-id' : 'mcp-protocol-version'}: browsers refuse the preflight for MCP requests that carry it. Add "mcp-session-id" and "mcp-protocol-version" (or "*").`,
          {},
        );
      }
    }
  }
}

// ---- MCP110 ----------------------------------------------------------------------------------

/** MCP110: stateful sessions served by several worker processes. */
export function mcp110(py: PyFile): void {
  const stateful = py.servers.filter((s) => !s.stateless || s.starts.some((st) => st.transport === 'sse'));
  if (!stateful.length) return;
  for (const call of py.calls) {
    if (py.callee(call) !== 'uvicorn.run') continue;
    const w = py.kwargs(call).get('workers');
    const n = numberValue(py, w);
    if (!w || n === undefined || n <= 1) continue;
    const s = stateful[0];
    py.hit(
      'MCP110',
      w,
      `uvicorn.run(workers=${n}) on line ${py.line(w)} serves '${s.name}' from ${n} processes, but Streamable HTTP sessions live in one process's memory: follow-up requests that land on another worker fail with 404 "Session not found". Use stateless_http=True, or one worker with sticky routing.`,
      {},
    );
  }
}

/** `settings.host` where `settings` is imported by name from another module: `[name, field]`. */
function importedSettings(py: PyFile, h: PyNode): [string, string] | undefined {
  if (h.type !== 'attribute') return undefined;
  const obj = field(h, 'object');
  const attr = field(h, 'attribute');
  if (obj?.type !== 'identifier' || !attr) return undefined;
  const q = py.imports.get(py.text(obj));
  if (!q || !q.endsWith(`.${py.text(obj)}`) || py.moduleAssignments.has(py.text(obj))) return undefined;
  return [py.text(obj), py.text(attr)];
}

/** Environment variable names a Dockerfile or compose file sets (`ENV HOST=...`, `HOST: ...`, `-e HOST=...`). */
function containerEnvNames(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.slice(0, 200_000).matchAll(/\b([A-Z][A-Z0-9_]*)[ \t]*[=:]/g)) out.add(m[1]!);
  // `ENV HOST 0.0.0.0` (the legacy form without `=`).
  for (const m of text.slice(0, 200_000).matchAll(/^[ \t]*ENV[ \t]+([A-Z][A-Z0-9_]*)[ \t]+\S/gm)) out.add(m[1]!);
  return [...out];
}

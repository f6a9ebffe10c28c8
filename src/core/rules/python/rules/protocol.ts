/** Protocol rules: descriptions, duplicate and non-portable names, resource templates, back-channel requests, versions. */
import { field, walk } from '../ast';
import type { PyFile } from '../context';
import type { DefinitionFact } from '../definitions';
import { edit, fix, fixes, replaceNode } from '../fixes';
import { trimEndOf } from '../../../util/text';
import { returnsOf, stdioIsolation } from './util';
import { majorOf, provenPyVersion } from '../../project/versions';

/** MCP701: tools without a description. */
export function mcp701(py: PyFile): void {
  for (const d of py.tools) {
    if (d.def.description && d.def.description.trim()) continue;
    // description=f"..." or description=some_call(): computed at import time, not known here.
    const given = d.kwargs.get('description');
    if (given && given.type !== 'none' && py.constStr(given) === undefined) continue;
    const fn = d.fn;
    const explicitEmpty = d.kwargs.has('description');
    const at = explicitEmpty ? d.kwargs.get('description')! : fn.nameNode;
    const body = fn.body;
    const sameLine = py.src.positionAt(body.start).line === py.src.positionAt(fn.paramsNode.end).line;
    let f;
    if (!explicitEmpty && !sameLine && fn.docstring === undefined) {
      const indent = py.src.indentAt(body.start);
      f = fix(
        'Add a docstring stub',
        edit(
          py,
          body.start,
          body.start,
          `"""TODO: describe what ${fn.name} does and when to use it."""${py.src.eol}${indent}`,
        ),
        [],
        true,
      );
    }
    py.hit(
      'MCP701',
      at,
      `Tool '${d.def.name}' has no description${explicitEmpty ? ' (description is empty)' : ' (no docstring and no description=)'}: the description is the model's only guide to when and how to call it, and some platforms reject tools without one. Add a docstring that says what it does and when to use it.`,
      {
        fixes: fixes(f),
      },
    );
  }
}

/** MCP702: two tools registered under the same name on one server. */
export function mcp702(py: PyFile): void {
  const seen = new Map<string, DefinitionFact>();
  const taken = new Set(py.tools.map((d) => `${d.server.name}\u0000${d.def.name}`));
  for (const d of py.tools) {
    if (d.def.dynamicName) continue;
    const key = `${d.server.name}\u0000${d.def.name}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, d);
      continue;
    }
    // fastmcp 3+: `@mcp.tool(version="2")` registers a version of the same tool, not a duplicate.
    if (d.server.framework === 'fastmcp' && (d.kwargs.has('version') || first.kwargs.has('version'))) continue;
    let rename: string | undefined;
    if (d.nameNode) {
      rename = taken.has(`${d.server.name}\u0000${d.fn.name}`) ? `${d.def.name}_2` : d.fn.name;
      let i = 2;
      while (taken.has(`${d.server.name}\u0000${rename}`)) rename = `${d.def.name}_${++i}`;
    }
    const fw =
      d.server.framework === 'fastmcp'
        ? 'fastmcp replaces the first with the later one (with a warning)'
        : 'the official SDK keeps the first and drops this one ("Tool already exists")';
    py.hit(
      'MCP702',
      d.nameNode ?? d.registration,
      `Tool name '${d.def.name}' is already registered on '${d.server.name}' (line ${py.line(first.fn.nameNode)}): ${fw}, so one of the tools silently disappears. Give each tool a unique name.`,
      {
        related: [{ file: py.file, range: first.def.nameRange, message: `First registration of '${d.def.name}'` }],
        fixes:
          rename && d.nameNode
            ? fixes(fix(`Rename to '${rename}'`, replaceNode(py, d.nameNode, JSON.stringify(rename)), [], true))
            : undefined,
      },
    );
  }
}

/** MCP703: tool names that some clients reject. */
export function mcp703(py: PyFile): void {
  for (const d of py.tools) {
    if (d.def.dynamicName) continue;
    const name = d.def.name;
    let severity: 'error' | 'warning' | 'info' | undefined;
    let why = '';
    if (!/^[A-Za-z0-9._/-]{1,128}$/.test(name)) {
      severity = 'error';
      why =
        name.length > 128
          ? 'is longer than 128 characters'
          : 'contains characters outside A-Z a-z 0-9 _ - . / (SEP-986), so Claude Desktop and the Anthropic API reject the whole tool list';
    } else if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
      severity = 'warning';
      why =
        name.length > 64
          ? "is longer than 64 characters (Claude Desktop's limit)"
          : 'contains "." or "/", which the Anthropic API and Copilot CLI reject (pattern ^[a-zA-Z0-9_-]{1,64}$)';
    } else if (/^[-.]|[-.]$/.test(name)) {
      severity = 'info';
      why = 'starts or ends with "-" or ".", which breaks clients that prefix tool names with the server name';
    }
    if (!severity) continue;
    const safe = trimEndOf(name.replace(/[^A-Za-z0-9_-]/g, '_').replace(/^[-_]+/, ''), '-_').slice(0, 64) || 'tool';
    const at = d.nameNode ?? d.fn.nameNode;
    py.hit(
      'MCP703',
      at,
      `Tool name '${name}' ${why}. Use only letters, digits, "_" and "-" (at most 64), e.g. '${safe}'.`,
      {
        ...(severity === 'error' ? {} : { severity }),
        fixes: d.nameNode
          ? fixes(fix(`Rename to '${safe}'`, replaceNode(py, d.nameNode, JSON.stringify(safe)), [], true))
          : undefined,
      },
    );
  }
}

/** MCP704: resource template placeholders that do not match the function's parameters. */
export function mcp704(py: PyFile): void {
  for (const d of py.definitions) {
    if (d.def.kind !== 'resource' && d.def.kind !== 'resourceTemplate') continue;
    const uri = d.def.uri;
    if (uri === undefined) continue;
    const pathParams: string[] = [];
    const queryParams: string[] = [];
    for (const m of uri.matchAll(/\{([^{}]*)\}/g)) {
      const inner = m[1].trim();
      if (/^[?&]/.test(inner))
        queryParams.push(
          ...inner
            .slice(1)
            .split(',')
            .map((x) => x.trim().replace(/\*$/, '')),
        );
      else pathParams.push(...inner.split(',').map((x) => x.trim().replace(/\*$/, '')));
    }
    const params = d.fn.params.filter(
      (p) => !py.isInjected(p) && p.kind === 'plain' && p.name !== 'self' && p.name !== 'ctx' && p.name !== 'context',
    );
    const hasKwargs = d.fn.params.some((p) => p.kind === 'kwargs');
    const names = new Set(params.map((p) => p.name));
    const placeholders = new Set([...pathParams, ...queryParams]);
    const missingParam = pathParams.filter((p) => !names.has(p) && !hasKwargs);
    let unmatched: string[];
    if (d.server.framework === 'mcp-python-sdk')
      unmatched = params.filter((p) => !placeholders.has(p.name)).map((p) => p.name);
    else unmatched = params.filter((p) => !p.default && !placeholders.has(p.name)).map((p) => p.name);
    if (!missingParam.length && !unmatched.length) continue;
    const parts: string[] = [];
    if (missingParam.length)
      parts.push(
        `placeholder${missingParam.length > 1 ? 's' : ''} ${missingParam.map((p) => `{${p}}`).join(', ')} ha${missingParam.length > 1 ? 've' : 's'} no matching parameter`,
      );
    if (unmatched.length)
      parts.push(
        `parameter${unmatched.length > 1 ? 's' : ''} ${unmatched.map((p) => `'${p}'`).join(', ')} ha${unmatched.length > 1 ? 've' : 's'} no placeholder`,
      );
    const uriNode =
      d.kwargs.get('uri') ?? py.positional(d.registration.type === 'call' ? d.registration : d.registration)[0];
    let f;
    if (missingParam.length === 1 && unmatched.length === 1 && uriNode?.type === 'string') {
      const text = py.text(uriNode);
      const fixed = text.replace(`{${missingParam[0]}}`, `{${unmatched[0]}}`);
      if (fixed !== text)
        f = fix(
          `Rename placeholder {${missingParam[0]}} to {${unmatched[0]}}`,
          replaceNode(py, uriNode, fixed),
          [],
          true,
        );
    }
    py.hit(
      'MCP704',
      d.registration.parent?.type === 'decorator' ? d.registration.parent : d.registration,
      `Resource template "${uri}" for ${d.fn.name}(): ${parts.join(' and ')}. Registration raises "Mismatch between URI parameters ... and function parameters ..." and the server fails to start. Make the {placeholders} and the parameters match${d.server.framework === 'fastmcp' ? ' (optional parameters can be query placeholders {?name})' : ''}.`,
      {
        fixes: fixes(f),
      },
    );
  }
}

/** MCP706: server-to-client requests from tools on a stateless HTTP server. */
export function mcp706(py: PyFile): void {
  const iso = stdioIsolation(py);
  const fastmcp = provenPyVersion(py.project, 'fastmcp');
  const fastmcp4 = py.framework === 'fastmcp' && (majorOf(fastmcp) ?? 0) >= 4;
  const METHOD: Record<string, string> = {
    elicit: 'elicitation/create',
    elicit_url: 'elicitation/create',
    list_roots: 'roots/list',
    sample: 'sampling/createMessage',
    create_message: 'sampling/createMessage',
  };
  for (const d of py.tools) {
    const ctxName = py.contextParam(d.fn)?.name;
    // The 2026-07-28 way: return an InputRequiredResult and read ctx.input_responses on the retry.
    const body = py.text(d.fn.body);
    const handles2026 = /\binput_responses\b|\bInputRequiredResult\b/.test(body);
    let requests = 0;
    for (const call of py.callsIn(d.fn)) {
      const fnNode = field(call, 'function');
      if (fnNode?.type !== 'attribute') continue;
      const attr = py.text(field(fnNode, 'attribute')!);
      const method = METHOD[attr];
      if (!method) continue;
      requests++;
      const obj = field(fnNode, 'object');
      const onCtx = !!ctxName && obj?.type === 'identifier' && py.text(obj) === ctxName;
      if (d.server.stateless) {
        py.hit(
          'MCP706',
          call,
          `Tool '${d.def.name}' calls ${py.text(fnNode)}() on line ${py.line(call)}, a request from server to client, but '${d.server.name}' runs with stateless_http=True: there is no back-channel, so the call fails ("Cannot send '${method}': this transport context has no back-channel"). Drop stateless mode for this server or take the input as a tool argument.`,
          {},
        );
      } else if (onCtx && fastmcp4 && (attr === 'sample' || attr === 'list_roots')) {
        py.hit(
          'MCP706',
          call,
          `Tool '${d.def.name}' calls ${py.text(fnNode)}() on line ${py.line(call)}, but the project gets fastmcp ${fastmcp} (${py.project.packageSources.get('fastmcp') ?? 'pinned'}), whose Context has no ${attr}(): every call fails with AttributeError ("'Context' object has no attribute '${attr}'"). Ask for the input with an InputRequiredResult (read ctx.input_responses on the retry) or take it as a tool argument.`,
          { severity: 'error' },
        );
      } else if (iso.kind === 'isolated' && !handles2026) {
        py.hit(
          'MCP706',
          call,
          `Tool '${d.def.name}' calls ${py.text(fnNode)}() on line ${py.line(call)}, a server-to-client request. This server runs on mcp 2.x (${iso.why}), which also serves the 2026-07-28 protocol revision, and that revision has no server-to-client requests: on a 2026-07-28 connection (what mcp 2.x and fastmcp 4 clients negotiate by default) the call fails (${py.framework === 'fastmcp' ? '"elicitation via server-initiated requests is unavailable on 2026-07-28 connections"' : `"Cannot send '${method}': this transport context has no back-channel"`}); only 2025-era connections carry it. Return an InputRequiredResult with the request and read ctx.input_responses when the client retries, keeping ${py.text(fnNode)}() for 2025-era clients.`,
          { severity: 'warning' },
        );
      }
    }
    // The converse: an InputRequiredResult with no imperative fallback fails on 2025-era connections.
    if (!requests && iso.kind === 'isolated' && /\bInputRequiredResult\s*\(/.test(body)) {
      const at = returnsOf(d.fn).find((r) => r.value && /InputRequiredResult\s*\(/.test(py.text(r.value)));
      if (at)
        py.hit(
          'MCP706',
          at.stmt,
          `Tool '${d.def.name}' asks for input by returning an InputRequiredResult (line ${py.line(at.stmt)}), which exists only in the 2026-07-28 protocol revision: on a 2025-era connection (clients that use the initialize handshake) the call fails ("returned an InputRequiredResult to request client input, but the multi-round-trip result type (SEP-2322) only exists" on 2026-07-28 connections). If such clients matter, fall back to ctx.elicit() when ctx.request_context's protocol version is a 2025 one.`,
          { severity: 'info' },
        );
    }
  }
}

/** Protocol revisions negotiated through `initialize` (2026-07-28 has no initialize). */
const PUBLISHED_REVISIONS = new Set(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25']);

/** MCP709 (static part): low-level servers that answer initialize with a hard-coded version. */
export function mcp709(py: PyFile): void {
  for (const call of py.calls) {
    if (!/(^|\.)InitializeResult$/.test(py.callee(call) ?? '')) continue;
    const v = py.kwargs(call).get('protocolVersion');
    if (!v || py.str(v) === undefined) continue;
    py.hit(
      'MCP709',
      v,
      `initialize answers with the constant protocolVersion "${py.str(v)}" (line ${py.line(v)}): the server must echo the client's requested version when it supports it, otherwise clients that speak another revision fail ("Server's protocol version is not supported"). Negotiate from the request (or let the SDK's Server handle initialize).`,
      {},
    );
  }
  if (!py.src.text.includes('protocolVersion')) return;
  walk(py.root, (n) => {
    if (n.type !== 'pair') return true;
    if (py.str(field(n, 'key')) !== 'protocolVersion') return true;
    const v = field(n, 'value');
    const version = py.str(v);
    // A hand-written endpoint that answers with a published revision is allowed to: a server
    // answers with a version it supports when it does not support the requested one.
    if (!v || version === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(version) || PUBLISHED_REVISIONS.has(version))
      return true;
    py.hit(
      'MCP709',
      v,
      `A hard-coded protocolVersion "${version}" (line ${py.line(v)}) in an initialize response is no published revision of the protocol (${[...PUBLISHED_REVISIONS].join(', ')}): clients reject the handshake ("Server's protocol version is not supported"). Answer with a revision the server implements, the client's requested one when supported.`,
      { downgrade: true },
    );
    return false;
  });
}

/**
 * fastmcp.json (FastMCP's project file): one server, started as `fastmcp run <file>`, whose
 * transport and URL come from its `deployment`; its `source` file and `environment` checked.
 */
import * as path from 'node:path';
import type { Finding, Range } from '../model';
import type { CheckContext } from './checks';
import { finding } from './findings';
import type { NormalizedEntry } from './normalize';
import { prop, type PNode } from './pnode';
import { baseName } from './syntax';
import type { ConfigFileResult, ConfigLocation } from './types';

/** What reading fastmcp.json needs of the file being parsed. */
interface FastmcpReader {
  file: string;
  location: ConfigLocation;
  ctx: CheckContext;
  result: ConfigFileResult;
  /** Normalizes, checks and lists one server entry; undefined once the limits stop reading. */
  add: (
    entryCtx: CheckContext,
    name: string,
    node: PNode,
    keyRange: Range,
    post?: (e: NormalizedEntry) => void,
  ) => NormalizedEntry | undefined;
  /** Records a finding on the file. */
  f: (code: string, severity: Finding['severity'], message: string, range: Range) => void;
}

/** Reads fastmcp.json as one server: `fastmcp run` on the file, with its deployment's transport. */
export function readFastmcp(r: PNode, at: FastmcpReader): void {
  const { file, location, ctx, result, add, f } = at;
  const source = prop(r, 'source');
  const deployment = prop(r, 'deployment');
  const dir = path.dirname(file);
  const bn = baseName(file);
  const name = bn === 'fastmcp.json' ? path.basename(dir) || 'fastmcp' : bn.replace(/\.fastmcp\.json$/, '');
  const keyRange = source?.keyRange ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
  // Build a synthetic entry in the common shape, then normalize and check it like the others.
  const tNode = prop(deployment, 'transport');
  const rawT = typeof tNode?.value === 'string' ? tNode.value : 'stdio';
  const transport = rawT === 'streamable-http' ? 'http' : rawT;
  const host = String(prop(deployment, 'host')?.value ?? '127.0.0.1').replace(/^0\.0\.0\.0$/, '127.0.0.1');
  const port = prop(deployment, 'port')?.value ?? 8000;
  const urlPath = String(prop(deployment, 'path')?.value ?? (transport === 'sse' ? '/sse' : '/mcp'));
  const argsNode: PNode = {
    kind: 'array',
    value: ['run', bn],
    range: keyRange,
    items: [
      { kind: 'string', value: 'run', range: keyRange },
      { kind: 'string', value: bn, range: keyRange },
    ],
  };
  const props = new Map<string, PNode>([
    ['command', { kind: 'string', value: 'fastmcp', range: keyRange }],
    ['args', argsNode],
    ['cwd', { kind: 'string', value: dir, range: keyRange }],
  ]);
  const envNode = prop(deployment, 'env');
  if (envNode) props.set('env', envNode);
  const entry: PNode = { kind: 'object', value: r.value, range: r.range, props };
  const e = add({ ...ctx, workspaceFolder: location.workspaceFolder ?? dir }, name, entry, keyRange, (n) => {
    n.server.raw = r.value;
    if (transport === 'http' || transport === 'sse') {
      n.server.transport = transport;
      n.server.url = `http://${host}:${String(port)}${urlPath.startsWith('/') ? urlPath : `/${urlPath}`}`;
    }
  });
  if (!e) return;
  if (!source) {
    e.server.valid = false;
    f(
      'MCP040',
      'error',
      `fastmcp.json needs a "source" with the server file: { "source": { "path": "server.py", "entrypoint": "mcp" } }.`,
      { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
    );
  } else {
    const p = prop(source, 'path');
    if (p && p.kind !== 'string')
      f('MCP028', 'error', `"source.path" must be a string path to the server file.`, p.range);
    else if (p && ctx.checkCommands) {
      const abs = path.isAbsolute(p.value as string) ? (p.value as string) : path.join(dir, p.value as string);
      if (!ctx.fileExists(abs)) {
        result.findings.push(
          finding(
            'MCP062',
            'error',
            `"source.path" points to ${abs}, which does not exist; \`fastmcp run\` fails at once ("File not found"). fastmcp 4 resolves a relative path against the folder it is started in, so run it from ${dir} (as MCP Doctor does).`,
            file,
            p.range,
            { server: name, data: { path: abs } },
          ),
        );
      }
    }
  }
  if (tNode && !['stdio', 'http', 'sse', 'streamable-http'].includes(rawT)) {
    e.server.valid = false;
    e.server.transport = 'unknown';
    result.findings.push(
      finding(
        'MCP018',
        'error',
        `"deployment.transport" must be "stdio", "http" or "sse", got ${JSON.stringify(tNode.value)}.`,
        file,
        tNode.range,
        { server: name, data: { value: tNode.value } },
      ),
    );
  }
  const environment = prop(r, 'environment');
  if (
    ctx.checkCommands &&
    environment?.kind === 'object' &&
    (environment.props?.size ?? 0) > 0 &&
    !ctx.findOnPath('uv')
  ) {
    result.findings.push(
      finding(
        'MCP061',
        'warning',
        `"environment" makes \`fastmcp run\` build the environment with uv, but "uv" is not on PATH. Install uv, or run with --skip-env inside an existing virtualenv.`,
        file,
        environment.keyRange ?? environment.range,
        { server: name, data: { command: 'uv' } },
      ),
    );
  }
}

import * as assert from 'node:assert/strict';
import type { Definition } from '../../../../src/core/rules/types';
import { analyzeFixture, analyzeText } from './helpers';

function brief(d: Definition): unknown {
  return {
    kind: d.kind,
    name: d.name,
    line: d.nameRange.start.line + 1,
    description: d.description,
    uri: d.uri,
    params: d.params.map((p) => `${p.name}${p.optional ? '?' : ''}${p.type ? `:${p.type}` : ''}`),
  };
}

describe('typescript analyzer: definitions and shared facts', () => {
  it('official SDK: registerTool / tool (all overloads) / resource / prompt / registerResource', async () => {
    const r = await analyzeFixture('sdkStdioBad.ts');
    assert.equal(r.framework, 'ts-sdk');
    assert.deepEqual(
      r.servers.map((s) => [s.name, s.transport, s.range.start.line + 1]),
      [['server', 'stdio', 13]],
    );
    const defs = r.definitions.map(brief);
    assert.deepEqual(defs[0], {
      kind: 'tool',
      name: 'grep files',
      line: 21,
      description: 'Search files',
      uri: undefined,
      params: ['pattern:string'],
    });
    assert.deepEqual(defs[1], {
      kind: 'tool',
      name: 'count',
      line: 31,
      description: undefined,
      uri: undefined,
      params: [],
    });
    assert.deepEqual(defs[2], {
      kind: 'tool',
      name: 'fetch_page',
      line: 33,
      description: 'Fetch a page and cache it',
      uri: undefined,
      params: ['url:string', 'when:date'],
    });
    const byName = new Map(r.definitions.map((d) => [`${d.kind}:${d.name}`, d]));
    assert.deepEqual(brief(byName.get('resource:config')!), {
      kind: 'resource',
      name: 'config',
      line: 117,
      description: undefined,
      uri: 'config://app',
      params: [],
    });
    assert.deepEqual(brief(byName.get('prompt:review')!), {
      kind: 'prompt',
      name: 'review',
      line: 118,
      description: undefined,
      uri: undefined,
      params: ['code:string'],
    });
    assert.deepEqual(brief(byName.get('resourceTemplate:user')!), {
      kind: 'resourceTemplate',
      name: 'user',
      line: 119,
      description: 'A user profile',
      uri: 'users://{id}/profile',
      params: ['id'],
    });
    // range covers the whole call; nameRange is the method name on the call's first line
    const grep = r.definitions[0]!;
    assert.equal(grep.range.start.line + 1, 21);
    assert.equal(grep.range.end.line + 1, 29);
    assert.equal(r.text.split('\n')[20]!.slice(grep.nameRange.start.character, grep.nameRange.end.character), 'tool');
    assert.equal(grep.framework, 'ts-sdk');
    assert.ok(grep.file.endsWith('sdkStdioBad.ts'));
  });

  it('positional tool overloads: (name, cb), (name, desc, cb), (name, shape, cb), (name, desc, shape, annotations, cb)', async () => {
    const text = [
      'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";',
      'import { z } from "zod";',
      'const s = new McpServer({ name: "x", version: "1" });',
      's.tool("a", async () => ({ content: [] }));',
      's.tool("b", "B tool", async () => ({ content: [] }));',
      's.tool("c", { q: z.string().optional() }, async () => ({ content: [] }));',
      's.tool("d", "D tool", { n: z.number() }, { readOnlyHint: true }, async () => ({ content: [] }));',
      's.tool("e", { readOnlyHint: true }, async () => ({ content: [] }));',
    ].join('\n');
    const r = await analyzeText('/w/a.ts', text);
    assert.deepEqual(
      r.definitions.map((d) => [d.name, d.description, d.params.map((p) => `${p.name}${p.optional ? '?' : ''}`)]),
      [
        ['a', undefined, []],
        ['b', 'B tool', []],
        ['c', undefined, ['q?']],
        ['d', 'D tool', ['n']],
        ['e', undefined, []],
      ],
    );
  });

  it('punkpeye fastmcp: addTool / addResource / addResourceTemplate / addPrompt', async () => {
    const r = await analyzeFixture('fastmcpBad.ts');
    assert.equal(r.framework, 'ts-fastmcp');
    assert.deepEqual(
      r.servers.map((s) => [s.name, s.transport]),
      [['server', 'stdio']],
    );
    assert.deepEqual(r.definitions.map(brief), [
      {
        kind: 'tool',
        name: 'run/report',
        line: 10,
        description: 'Run a report',
        uri: undefined,
        params: ['report:string'],
      },
      {
        kind: 'tool',
        name: 'read_note',
        line: 20,
        description: undefined,
        uri: undefined,
        params: ['file:string', 'tags:array'],
      },
      { kind: 'tool', name: 'count_notes', line: 30, description: 'Count notes', uri: undefined, params: [] },
      {
        kind: 'tool',
        name: 'lookup',
        line: 38,
        description: 'Look up a note upstream',
        uri: undefined,
        params: ['id:string'],
      },
      {
        kind: 'resource',
        name: 'Note index',
        line: 52,
        description: undefined,
        uri: 'file:///notes/index.md',
        params: [],
      },
      {
        kind: 'resourceTemplate',
        name: 'Note',
        line: 61,
        description: undefined,
        uri: 'file:///notes/{name}.md',
        params: ['name'],
      },
      {
        kind: 'prompt',
        name: 'summarise',
        line: 70,
        description: 'Summarise a note',
        uri: undefined,
        params: ['note', 'style?'],
      },
    ]);
    assert.ok(r.definitions.every((d) => d.framework === 'ts-fastmcp'));
  });

  it('low-level Server: tools from setRequestHandler(ListToolsRequestSchema) (JSON schema params)', async () => {
    const r = await analyzeFixture('lowLevel.ts');
    assert.deepEqual(
      r.servers.map((s) => [s.name, s.transport]),
      [['server', 'stdio']],
    );
    assert.deepEqual(r.definitions.map(brief), [
      { kind: 'tool', name: 'sum', line: 11, description: undefined, uri: undefined, params: ['values:array'] },
      {
        kind: 'tool',
        name: 'greet',
        line: 15,
        description: 'Greet someone',
        uri: undefined,
        params: ['who:string', 'loud?:boolean'],
      },
    ]);
  });

  it('transports: stdio, http, mixed by env (unknown), never connected (none), fastmcp start()', async () => {
    const cases: [string, string][] = [
      ['httpClean.ts', 'http'],
      ['httpBad.ts', 'unknown'],
      ['noEntrypoint.ts', 'none'],
      ['fastmcpClean.ts', 'http'],
      ['requireStyle.cjs', 'stdio'],
    ];
    for (const [name, transport] of cases) {
      const r = await analyzeFixture(name);
      assert.equal(r.servers[0]?.transport, transport, name);
    }
    const env = [
      'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";',
      'import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";',
      'import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";',
      'const s = new McpServer({ name: "x", version: "1" });',
      'const t = process.env.HTTP ? new StreamableHTTPServerTransport({ sessionIdGenerator: undefined }) : new StdioServerTransport();',
      'await s.connect(t);',
    ].join('\n');
    assert.equal((await analyzeText('/w/a.ts', env)).servers[0]!.transport, 'unknown');
    const fm =
      'import { FastMCP as F } from "fastmcp";\nconst m = new F({ name: "x", version: "1" });\nawait m.start({ transportType: process.env.T as "stdio" });\n';
    assert.equal((await analyzeText('/w/a.ts', fm)).servers[0]!.transport, 'unknown');
  });

  it('follows import aliases, namespace imports and require()', async () => {
    const ns = [
      'import * as mcp from "@modelcontextprotocol/sdk/server/mcp.js";',
      'import { StdioServerTransport as T } from "@modelcontextprotocol/sdk/server/stdio.js";',
      'const srv = new mcp.McpServer({ name: "x", version: "1" });',
      'srv.registerTool("t", { description: "d" }, async () => ({ content: [] }));',
      'await srv.connect(new T());',
    ].join('\n');
    const a = await analyzeText('/w/a.ts', ns);
    assert.deepEqual(
      a.servers.map((s) => [s.name, s.transport]),
      [['srv', 'stdio']],
    );
    assert.deepEqual(
      a.definitions.map((d) => d.name),
      ['t'],
    );
    const cjs = await analyzeFixture('requireStyle.cjs');
    assert.deepEqual(
      cjs.servers.map((s) => s.name),
      ['srv'],
    );
    assert.deepEqual(
      cjs.definitions.map((d) => d.name),
      ['list'],
    );
  });

  it('a class that holds the server in a property', async () => {
    const text = [
      'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";',
      'import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";',
      'export class App {',
      '  private server = new McpServer({ name: "x", version: "1" });',
      '  setup() { this.server.registerTool("t", { description: "d" }, async () => ({ content: [] })); }',
      '  async run() { await this.server.connect(new StdioServerTransport()); }',
      '}',
    ].join('\n');
    const r = await analyzeText('/w/a.ts', text);
    assert.deepEqual(
      r.servers.map((s) => [s.name, s.transport]),
      [['this.server', 'stdio']],
    );
    assert.deepEqual(
      r.definitions.map((d) => d.name),
      ['t'],
    );
  });

  it('a server built by a local factory and connected through a variable', async () => {
    const text = [
      'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";',
      'import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";',
      'function getServer() {',
      '  const server = new McpServer({ name: "x", version: "1" });',
      '  server.registerTool("q", { description: "d" }, async () => ({ content: [] }));',
      '  return server;',
      '}',
      'const s = getServer();',
      'await s.connect(new StdioServerTransport());',
    ].join('\n');
    const r = await analyzeText('/w/a.ts', text);
    assert.deepEqual(
      r.servers.map((x) => [x.name, x.transport]),
      [['server', 'stdio']],
    );
  });

  it('low-level tools held in constants and a server in a class property', async () => {
    const r = await analyzeFixture('classDualMode.ts');
    assert.deepEqual(
      r.servers.map((x) => [x.name, x.transport]),
      [['this.server', 'stdio']],
    );
    assert.deepEqual(r.definitions.map(brief), [
      {
        kind: 'tool',
        name: 'search',
        line: 10,
        description: 'Search the catalogue',
        uri: undefined,
        params: ['query:string', 'tags?:array'],
      },
    ]);
  });
});

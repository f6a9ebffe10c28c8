import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'jsonc-parser';
// ajv ships with @modelcontextprotocol/sdk; `strict: false` tolerates VS Code's schema
// extensions (enumDescriptions, allowComments, deprecationMessage).
import Ajv from 'ajv';
import { FIXTURES } from './helpers';

const SCHEMAS = path.resolve(__dirname, '../../../schemas');
const ajv = new Ajv({ strict: false, allErrors: true });
const load = (name: string) => ajv.compile(JSON.parse(fs.readFileSync(path.join(SCHEMAS, name), 'utf8')));
const read = (rel: string) =>
  parse(fs.readFileSync(path.join(FIXTURES, rel), 'utf8'), [], { allowTrailingComma: true });

describe('config JSON schemas', () => {
  const vscode = load('vscode-mcp.schema.json');
  const servers = load('mcp-servers.schema.json');
  const fastmcp = load('fastmcp.schema.json');

  it('valid fixtures validate against their schema', () => {
    for (const rel of ['valid/vscode/.vscode/mcp.json', 'valid/vscode/user-profile/mcp.json'])
      assert.ok(vscode(read(rel)), `${rel}: ${JSON.stringify(vscode.errors)}`);
    for (const rel of [
      'valid/claude-desktop/claude_desktop_config.json',
      'valid/claude-code/.mcp.json',
      'valid/cursor/.cursor/mcp.json',
      'valid/windsurf/mcp_config.json',
      'valid/cline/cline_mcp_settings.json',
      'valid/roo-code/.roo/mcp.json',
      'valid/jetbrains-junie/.junie/mcp/mcp.json',
      'valid/lm-studio/mcp.json',
      'valid/copilot-cli/mcp-config.json',
    ])
      assert.ok(servers(read(rel)), `${rel}: ${JSON.stringify(servers.errors)}`);
    assert.ok(fastmcp(read('valid/fastmcp/fastmcp.json')), JSON.stringify(fastmcp.errors));
  });

  it('the schemas reject the tricky files the editor should squiggle', () => {
    assert.equal(vscode(read('tricky/06-unknown-type.vscode-mcp.json')), false);
    assert.ok(vscode.errors!.some((e) => e.instancePath === '/servers/docs/type'));
    assert.equal(servers(read('tricky/03-wrong-types.cursor-mcp.json')), false);
    const paths = servers.errors!.map((e) => e.instancePath);
    for (const p of [
      '/mcpServers/filesystem/args',
      '/mcpServers/filesystem/env/PORT',
      '/mcpServers/fetch/command',
      '/mcpServers/fetch/disabled',
      '/mcpServers/broken',
    ])
      assert.ok(paths.includes(p), p);
    assert.equal(fastmcp({ deployment: {} }), false, 'source is required');
  });

  it('every property has a description (completion and hover)', () => {
    for (const name of fs.readdirSync(SCHEMAS)) {
      const missing: string[] = [];
      const walk = (o: Record<string, unknown>, at: string) => {
        const props = o.properties as Record<string, Record<string, unknown>> | undefined;
        for (const [k, v] of Object.entries(props ?? {})) {
          if (!v.description) missing.push(`${at}.${k}`);
          walk(v, `${at}.${k}`);
        }
        if (o.additionalProperties && typeof o.additionalProperties === 'object')
          walk(o.additionalProperties as Record<string, unknown>, `${at}.*`);
        if (o.items && typeof o.items === 'object') walk(o.items as Record<string, unknown>, `${at}[]`);
      };
      walk(JSON.parse(fs.readFileSync(path.join(SCHEMAS, name), 'utf8')), name);
      assert.deepEqual(missing, []);
    }
  });
});

import * as assert from 'node:assert/strict';
import { isBuiltInMcpFile, showsOwnLenses } from '../../../src/core/config/builtInMcp';

describe("config: VS Code's built-in MCP files", () => {
  it('knows the files whose servers VS Code starts itself', () => {
    assert.ok(isBuiltInMcpFile('/ws/.vscode/mcp.json', 'vscode'));
    assert.ok(isBuiltInMcpFile('/home/dana/.config/Code/User/mcp.json', 'vscode'));
    assert.ok(!isBuiltInMcpFile('/ws/.vscode/settings.json', 'vscode'), 'the legacy settings block has no lenses');
    assert.ok(!isBuiltInMcpFile('/ws/.cursor/mcp.json', 'cursor'));
  });

  it('puts MCP Doctor lenses in VS Code’s mcp.json only when the user chose MCP Doctor', () => {
    assert.equal(showsOwnLenses('/ws/.vscode/mcp.json', 'vscode', 'vscode'), false);
    assert.equal(showsOwnLenses('/ws/.vscode/mcp.json', 'vscode', 'mcpDoctor'), true);
    assert.equal(showsOwnLenses('/ws/.mcp.json', 'claude-code', 'vscode'), true);
  });
});

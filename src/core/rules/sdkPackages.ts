/**
 * The MCP SDK packages whose own repositories import the SDK by relative path in their examples
 * (`import { McpServer } from "../../server/mcp.js"`). Dependency-free, so the engine's pre-check
 * can use it without loading an analyzer.
 */
const SDK_PACKAGES = new Set(['@modelcontextprotocol/sdk', '@modelcontextprotocol/server', 'fastmcp']);

/** Whether a package name is an MCP SDK whose repository examples use relative imports. */
export function isSdkPackage(name: string | undefined): boolean {
  return !!name && SDK_PACKAGES.has(name);
}

/**
 * MCP Doctor's version and the version of the MCP client SDK it speaks with, from `package.json`.
 * esbuild defines both at build time; unbundled (the unit tests) they are read from the files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

declare const __MCP_DOCTOR_VERSION__: string | undefined;
declare const __MCP_SDK_VERSION__: string | undefined;

function fromPackage(relative: string): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '../..', relative), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export const VERSION: string =
  typeof __MCP_DOCTOR_VERSION__ === 'string' ? __MCP_DOCTOR_VERSION__ : fromPackage('package.json');

export const SDK_VERSION: string =
  typeof __MCP_SDK_VERSION__ === 'string'
    ? __MCP_SDK_VERSION__
    : fromPackage('node_modules/@modelcontextprotocol/client/package.json');

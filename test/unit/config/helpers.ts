import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfigText, type ParseOptions } from '../../../src/core/config/parse';
import type {
  ClientId,
  ConfigFileResult,
  ConfigFormat,
  ConfigLocation,
  ConfigScope,
} from '../../../src/core/config/types';
import type { Finding } from '../../../src/core/model';

export const FIXTURES = path.resolve(__dirname, '../../fixtures/configs');

/** A location for a file, workspace scope by default. */
function loc(
  file: string,
  client: ClientId,
  format: ConfigFormat,
  scope: ConfigScope = 'workspace',
  workspaceFolder = '/ws',
): ConfigLocation {
  return { file, client, format, scope, workspaceFolder };
}

/** Parses a fixture under test/fixtures/configs. */
export function parseFixture(
  rel: string,
  client: ClientId,
  format: ConfigFormat,
  opts: ParseOptions = {},
  scope: ConfigScope = 'workspace',
): ConfigFileResult {
  const file = path.join(FIXTURES, rel);
  return parseConfigText(file, fs.readFileSync(file, 'utf8'), loc(file, client, format, scope), {
    home: '/home/dana',
    env: {},
    ...opts,
  });
}

/** Parses inline text as if it were `file`. */
export function parseText(
  text: string,
  client: ClientId,
  format: ConfigFormat,
  opts: ParseOptions = {},
  file = `/ws/${client}.json`,
): ConfigFileResult {
  return parseConfigText(file, text, loc(file, client, format), { home: '/home/dana', env: {}, ...opts });
}

export function codes(r: ConfigFileResult): string[] {
  return r.findings.map((f) => f.code);
}

export function only(r: ConfigFileResult, code: string): Finding[] {
  return r.findings.filter((f) => f.code === code);
}

/** 1-based "line:col" of a finding's start, the notation of expected.json. */
export function at(f: Finding): string {
  return `${f.range.start.line + 1}:${f.range.start.character + 1}`;
}

import * as fs from 'node:fs';

/**
 * What the client SDK's `getDefaultEnvironment()` passes to stdio servers (a sudo-like
 * allow-list); `test/unit/session/sdk.test.ts` checks that the two lists agree.
 */
export const INHERITED_ENV_VARS: Readonly<Record<'win32' | 'posix', readonly string[]>> = {
  win32: [
    'APPDATA',
    'COMSPEC',
    'HOMEDRIVE',
    'HOMEPATH',
    'LOCALAPPDATA',
    'PATH',
    'PATHEXT',
    'PROCESSOR_ARCHITECTURE',
    'PROGRAMDATA',
    'PROGRAMFILES',
    'PROGRAMFILES(X86)',
    'PROGRAMW6432',
    'SYSTEMDRIVE',
    'SYSTEMROOT',
    'TEMP',
    'USERNAME',
    'USERPROFILE',
    'WINDIR',
  ],
  posix: ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'],
};
const DEFAULT_INHERITED_ENV_VARS = INHERITED_ENV_VARS[process.platform === 'win32' ? 'win32' : 'posix'];

/**
 * The filtered base environment for stdio servers, like the SDK: only the allow-list, no shell
 * functions. (Passing the whole env costs ~40 ms per node start when NODE_EXTRA_CA_CERTS is set.)
 */
export function defaultEnvironment(env: Record<string, string | undefined> = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of DEFAULT_INHERITED_ENV_VARS) {
    const v = env[key];
    if (v !== undefined && !v.startsWith('()')) out[key] = v;
  }
  return out;
}

/** Parses a dotenv file (`KEY=value`, `export KEY=value`, quotes, `#` comments). Never throws. */
export function readEnvFile(file: string): { env: Record<string, string>; error?: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return { env: {}, error: (err as Error).message };
  }
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    // `NAME=value`, split in code: a pattern with `\s*=\s*(.*)` was quadratic on long blank runs.
    const m = /^(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.]*)[ \t]*=/.exec(line);
    if (!m) continue;
    let v = line.slice(m[0].length).trimStart();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) {
      const dq = v.startsWith('"');
      v = v.slice(1, -1);
      if (dq) v = v.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else v = stripComment(v);
    env[m[1]] = v;
  }
  return { env };
}

/** `value # comment` → `value`: the first `#` after whitespace starts a comment. */
function stripComment(v: string): string {
  for (let i = 1; i < v.length; i++)
    if (v[i] === '#' && (v[i - 1] === ' ' || v[i - 1] === '\t')) return v.slice(0, i).trimEnd();
  return v;
}

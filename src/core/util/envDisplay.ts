/**
 * Environment variables as the terminal header and the launch consent show them: every name,
 * and the values that cannot be secrets (numbers, booleans, log levels, environment names,
 * encodings), so `PYTHONUNBUFFERED=1` reads as itself while `API_KEY=***` stays masked.
 */
import { isSecretEnvName } from '../trace/redact';

/** Values too plain to be a secret. Anything else (a path, a URL, a word) is masked. */
const HARMLESS =
  /^(?:-?\d{1,9}(?:\.\d{1,6})?|true|false|yes|no|on|off|none|null|debug|info|warn|warning|error|critical|trace|verbose|quiet|silent|development|dev|production|prod|staging|test|utf-?8|ascii)$/i;

/** `KEY=value` for harmless values, `KEY=***` otherwise (secret-named keys and launch secrets always). */
export function displayEnv(env: Record<string, string> | undefined, secrets: readonly string[] = []): string[] {
  return Object.entries(env ?? {}).map(([key, value]) =>
    !isSecretEnvName(key) && HARMLESS.test(value) && !secrets.includes(value) ? `${key}=${value}` : `${key}=***`,
  );
}

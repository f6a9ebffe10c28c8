import * as os from 'node:os';
import * as path from 'node:path';
import type { ServerConfig } from '../config/types';
import { defaultEnvironment, readEnvFile } from './env';
import { redactedCommandLine } from '../trace/redact';

/** How a command server is started: the process spec and the command line shown in the terminal. */
export interface LaunchSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** `$ command args…` as a shell would read it. */
  commandLine: string;
  /** The `envFile` could not be read (the server starts without its variables). */
  envFileProblem?: { file: string; error: string };
}

/** The working directory: `cwd` of the config (`~` expanded) against the workspace folder, or the folder itself. */
export function serverCwd(server: ServerConfig, workspaceFolder: string | undefined): string {
  const base = workspaceFolder ?? os.homedir();
  if (!server.cwd) return base;
  return path.resolve(base, server.cwd.replace(/^~(?=$|[\\/])/, os.homedir()));
}

/**
 * The environment is the base (the SDK's inherited variables by default), then the `envFile`,
 * then the config's `env`, later ones winning — what clients do.
 */
export function launchSpec(
  server: ServerConfig,
  baseEnv: Record<string, string | undefined> | undefined,
  workspaceFolder: string | undefined,
): LaunchSpec {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(baseEnv ?? defaultEnvironment())) if (v !== undefined) env[k] = v;
  let envFileProblem: LaunchSpec['envFileProblem'];
  if (server.envFile) {
    const file = path.resolve(workspaceFolder ?? os.homedir(), server.envFile);
    const r = readEnvFile(file);
    if (r.error) envFileProblem = { file, error: r.error };
    Object.assign(env, r.env);
  }
  for (const [k, v] of Object.entries(server.env ?? {})) if (v !== undefined) env[k] = v;
  const args = server.args ?? [];
  return {
    command: server.command!,
    args,
    cwd: serverCwd(server, workspaceFolder),
    env,
    // Shown in the lifecycle line, which the trace records, persists and exports: secret flag
    // values (`--password=…`, `--token …`) and token shapes are masked here already.
    commandLine: redactedCommandLine(server.command!, args),
    envFileProblem,
  };
}

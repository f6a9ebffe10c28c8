import * as path from 'node:path';
import type { ServerConfig } from '../config/types';

/** The loopback address every debug port listens on: never reachable from another machine. */
export const DEBUG_HOST = '127.0.0.1';

type DebugRuntime = 'python' | 'node';

/** A command line: what to run and its arguments. */
export interface CommandLine {
  command: string;
  args: string[];
}

/** How to start a server so that a debugger can attach before it runs. */
export interface DebugPlan {
  runtime: DebugRuntime;
  /** The same server with its command line rewritten to wait for the debugger on `port`. */
  server: ServerConfig;
  port: number;
  /** What the terminal shows: which debugger, on which port. */
  summary: string;
  /** Python: asks the server's own interpreter (same env and cwd) for debugpy's version. */
  probe?: CommandLine;
  /** Python: installs debugpy into that environment. */
  install?: CommandLine;
}

export type PlanResult = { ok: true; plan: DebugPlan } | { ok: false; reason: string };

/** What planning reads from the machine (injected, so planning itself is pure). */
export interface PlanHost {
  /** The absolute path a command resolves to on the launch's PATH and cwd, when it does. */
  which(command: string): string | undefined;
  /** A file's real path (symlinks followed), when it exists. */
  realpath(file: string): string | undefined;
  /** The first bytes of a file (its shebang), when it can be read. */
  head(file: string): string | undefined;
  /** The launch's working directory (npx binaries are looked up from it). */
  cwd: string;
}

/**
 * Rewrites a server's command line so the server starts under a debugger, from its own runtime:
 * Python through debugpy (`-m debugpy --listen 127.0.0.1:PORT --wait-for-client`) with the
 * interpreter the server runs on, including behind `uv run`, `poetry run` and `pipenv run` and in
 * console scripts (`fastmcp run`, a venv's `bin/` entry points); Node through
 * `--inspect-brk=127.0.0.1:PORT`, including `tsx` (which passes the flag to the node process it
 * starts), npm package binaries and `npx` of a locally installed binary. Everything else gets a
 * reason saying what could not be debugged and why.
 */
export function planDebugLaunch(server: ServerConfig, port: number, host: PlanHost): PlanResult {
  if (!server.command)
    return {
      ok: false,
      reason: `"${server.name}" is a remote server (a \`url\` without a \`command\`): MCP Doctor does not start it, so it cannot start it under a debugger. Start the server yourself with a debugger and attach to it.`,
    };
  const r = classify({ command: server.command, args: server.args ?? [] }, port, host, 0);
  if ('reason' in r) return { ok: false, reason: r.reason };
  const env: Record<string, string> = { ...(server.env ?? {}) };
  // debugpy prints a notice about validating files on every start; the check adds nothing here.
  if (r.runtime === 'python') env.PYDEVD_DISABLE_FILE_VALIDATION ??= '1';
  return {
    ok: true,
    plan: {
      runtime: r.runtime,
      server: { ...server, command: r.line.command, args: r.line.args, env },
      port,
      summary:
        r.runtime === 'python'
          ? `debugpy listening on ${DEBUG_HOST}:${port}, waiting for VS Code to attach`
          : `Node inspector on ${DEBUG_HOST}:${port} (--inspect-brk), waiting for VS Code to attach`,
      probe: r.probe,
      install: r.install,
    },
  };
}

type Classified =
  { runtime: DebugRuntime; line: CommandLine; probe?: CommandLine; install?: CommandLine } | { reason: string };

/** Wrappers are followed this deep (`npx tsx`, `uv run python`...). */
const MAX_DEPTH = 4;

function classify(line: CommandLine, port: number, host: PlanHost, depth: number): Classified {
  if (depth > MAX_DEPTH) return { reason: `\`${line.command}\` wraps too many other commands to follow.` };
  const name = commandName(line.command);
  if (isPythonName(name)) return pythonInterpreter(line, [], port);
  if (name === 'node' || name === 'nodejs') return nodeRuntime(line, port);
  if (name === 'tsx') return tsx(line, port);
  if (name === 'npx') return npx(line, port, host, depth);
  const runner = ENV_RUNNERS[name];
  if (runner && line.args[0] === 'run') return envRunner(line, runner, port);
  if (name === 'uvx' || (name === 'uv' && line.args[0] === 'tool'))
    return {
      reason: `\`${name}\` runs the server in a throw-away environment that has no debugpy. Run it with \`uv run\` in a project that has debugpy, or with the environment's python, to debug it.`,
    };
  if (name === 'docker' || name === 'podman')
    return {
      reason: `The server runs in a container (\`${name}\`): MCP Doctor cannot reach its interpreter. Start debugpy or the Node inspector inside the container and attach to its published port.`,
    };
  return script(line, port, host);
}

/** `python3.12` → python3.12; `C:\\Python\\python.exe` → python. */
function commandName(command: string): string {
  return path
    .basename(command.replace(/\\/g, '/'))
    .toLowerCase()
    .replace(/\.(exe|cmd|bat)$/, '');
}

function isPythonName(name: string): boolean {
  return /^(python|pypy)(\d+(\.\d+)*)?[tw]?$/.test(name) || name === 'py';
}

// ---------------------------------------------------------------- Python

/** Interpreter options that take the next argument as their value. */
const PY_VALUE_OPTIONS = new Set(['-W', '-X', '--check-hash-based-pycs']);

/** debugpy's own options before the target: listen on the port and wait for VS Code. */
function debugpyArgs(port: number): string[] {
  return ['-X', 'frozen_modules=off', '-m', 'debugpy', '--listen', `${DEBUG_HOST}:${port}`, '--wait-for-client'];
}

/**
 * `python [options] (file | -m module | -c code) args` → the same interpreter and options, then
 * debugpy, then the same target and args. `prefix` is a wrapper in front (`uv run`).
 */
function pythonInterpreter(line: CommandLine, prefix: string[], port: number): Classified {
  const opts: string[] = [];
  let i = 0;
  for (; i < line.args.length; i++) {
    const a = line.args[i];
    if (a === '-m' || a === '-c' || !a.startsWith('-') || a === '-') break;
    opts.push(a);
    if (PY_VALUE_OPTIONS.has(a) && i + 1 < line.args.length) opts.push(line.args[++i]);
  }
  const target = line.args.slice(i);
  if (target.length === 0 || target[0] === '-')
    return {
      reason: `\`${[line.command, ...line.args].join(' ')}\` names no script or module to run, so there is nothing for debugpy to start.`,
    };
  if ((target[0] === '-m' || target[0] === '-c') && target.length < 2)
    return { reason: `\`${target[0]}\` is missing its value in the server's command line.` };
  const interpreter = { command: line.command, args: [...prefix, ...opts] };
  return {
    runtime: 'python',
    line: { command: line.command, args: [...prefix, ...opts, ...debugpyArgs(port), ...target] },
    probe: { command: interpreter.command, args: [...interpreter.args, '-c', PROBE_CODE] },
    install: { command: line.command, args: [...prefix, '-m', 'pip', 'install', 'debugpy'] },
  };
}

/** Prints debugpy's version, or fails with ModuleNotFoundError. */
const PROBE_CODE = 'import debugpy, sys; sys.stdout.write(debugpy.__version__)';

/**
 * Runs a console script (`fastmcp`, `mcp`, a package's entry point) found on PATH inside the
 * environment, under debugpy: the script is a Python file, so debugpy runs it as `__main__`.
 */
const RUN_CONSOLE_SCRIPT =
  'import runpy, shutil, sys; sys.argv[0] = shutil.which(sys.argv[1]) or sys.argv[1]; del sys.argv[1]; runpy.run_path(sys.argv[0], run_name="__main__")';

interface EnvRunner {
  /** Options of `<tool> run` that take the next argument as their value. */
  valueOptions: Set<string>;
  install: string[];
}

const ENV_RUNNERS: Record<string, EnvRunner> = {
  uv: {
    valueOptions: new Set([
      '--with',
      '--with-editable',
      '--with-requirements',
      '--python',
      '-p',
      '--project',
      '--directory',
      '--env-file',
      '--extra',
      '--group',
      '--only-group',
      '--no-group',
      '--index',
      '--default-index',
      '--index-url',
      '--extra-index-url',
      '--package',
      '--config-file',
      '--cache-dir',
    ]),
    install: ['add', '--dev', 'debugpy'],
  },
  poetry: {
    valueOptions: new Set(['--directory', '-C', '--project', '-P']),
    install: ['add', '--group', 'dev', 'debugpy'],
  },
  pipenv: { valueOptions: new Set(), install: ['install', '--dev', 'debugpy'] },
};

/** `uv run [options] (python … | script.py | console-script) args` (and poetry / pipenv run). */
function envRunner(line: CommandLine, runner: EnvRunner, port: number): Classified {
  const prefix = ['run'];
  let i = 1;
  for (; i < line.args.length; i++) {
    const a = line.args[i];
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-')) break;
    prefix.push(a);
    if (runner.valueOptions.has(a) && i + 1 < line.args.length) prefix.push(line.args[++i]);
  }
  const rest = line.args.slice(i);
  if (!rest.length) return { reason: `\`${line.command} run\` names no command to run.` };
  const install = { command: line.command, args: runner.install };
  const first = commandName(rest[0]);
  const withPython = (interpreter: string, target: string[]): Classified => {
    const r = pythonInterpreter({ command: line.command, args: target }, [...prefix, interpreter], port);
    return 'reason' in r ? r : { ...r, install };
  };
  if (isPythonName(first)) return withPython(rest[0], rest.slice(1));
  if (rest[0].endsWith('.py')) return withPython('python', rest);
  if (['node', 'tsx', 'npx', 'npm', 'pnpm', 'bun', 'deno'].includes(first))
    return {
      reason: `\`${line.command} run ${rest[0]}\` starts a non-Python program; it cannot be debugged with debugpy.`,
    };
  // A console script of the environment: found on PATH inside it when the server starts.
  return withPython('python', ['-c', RUN_CONSOLE_SCRIPT, ...rest]);
}

// ---------------------------------------------------------------- Node

/** Node options that take the next argument as their value. */
const NODE_VALUE_OPTIONS = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '-C',
  '--conditions',
  '--env-file',
  '--title',
  '--input-type',
  '--stack-size',
]);

const INSPECT_FLAG = /^--inspect(-brk|-wait|-port|-publish-uid)?(=.*)?$/;

function inspectFlag(port: number): string {
  return `--inspect-brk=${DEBUG_HOST}:${port}`;
}

/** Node options up to the script, without any inspector flag of their own, and the rest. */
function splitNodeOptions(args: string[]): { opts: string[]; rest: string[] } {
  const opts: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('-') || a === '-' || a === '--') break;
    if (INSPECT_FLAG.test(a)) continue; // the debugger's own flag replaces it
    opts.push(a);
    if (NODE_VALUE_OPTIONS.has(a) && i + 1 < args.length) opts.push(args[++i]);
  }
  return { opts, rest: args.slice(i) };
}

function nodeRuntime(line: CommandLine, port: number): Classified {
  const { opts, rest } = splitNodeOptions(line.args);
  if (!rest.length && !opts.some((o) => o === '-e' || o === '--eval' || o.startsWith('--eval=')))
    return { reason: `\`${line.command}\` names no script to run.` };
  return { runtime: 'node', line: { command: line.command, args: [inspectFlag(port), ...opts, ...rest] } };
}

/** `tsx [watch] [options] file args`: tsx hands node options to the node process it runs the file in. */
function tsx(line: CommandLine, port: number): Classified {
  const args = line.args[0] === 'watch' ? line.args.slice(1) : line.args;
  const { opts, rest } = splitNodeOptions(args);
  if (!rest.length) return { reason: `\`${line.command}\` names no file to run.` };
  return { runtime: 'node', line: { command: line.command, args: [inspectFlag(port), ...opts, ...rest] } };
}

/** npx options without a value; `-p`/`--package` and `-c` change what runs and are not followed. */
const NPX_FLAGS = new Set(['-y', '--yes', '--no', '--no-install', '-q', '--quiet', '--prefer-offline', '--silent']);

/** `npx [-y] bin args` of a binary installed in the project: the binary itself, followed. */
function npx(line: CommandLine, port: number, host: PlanHost, depth: number): Classified {
  let i = 0;
  while (i < line.args.length && NPX_FLAGS.has(line.args[i])) i++;
  const bin = line.args[i];
  if (!bin || bin.startsWith('-'))
    return {
      reason: `\`npx ${line.args.join(' ')}\` is not followed (options such as \`-p\` change what runs). Point the config at the server's script to debug it.`,
    };
  const local = findLocalBin(bin, host);
  if (!local)
    return {
      reason: `\`npx ${bin}\` would download and run a package MCP Doctor cannot see in this project. Install it (\`npm install ${bin}\`) or point the config at the server's script to debug it.`,
    };
  return classify({ command: local, args: line.args.slice(i + 1) }, port, host, depth + 1);
}

/** `node_modules/.bin/<bin>` in the launch's cwd or a folder above it. */
function findLocalBin(bin: string, host: PlanHost): string | undefined {
  if (!/^[\w.@/-]+$/.test(bin) || bin.includes('@', 1)) return undefined; // `pkg@version` is a download
  const name = bin.startsWith('@') ? bin.split('/')[1] : bin;
  if (!name) return undefined;
  for (let dir = host.cwd; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', '.bin', name);
    if (host.realpath(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

// ---------------------------------------------------------------- scripts

/**
 * Any other command: a script with a shebang (a venv's console script, an npm binary). Python
 * scripts run under debugpy with the interpreter of their shebang; Node scripts under node with
 * the inspector; tsx's own binary gets the tsx treatment.
 */
function script(line: CommandLine, port: number, host: PlanHost): Classified {
  const found = host.which(line.command);
  if (!found)
    return { reason: `\`${line.command}\` is not found on the server's PATH, so its runtime cannot be told.` };
  const real = host.realpath(found) ?? found;
  if (/[\\/]tsx[\\/]dist[\\/]cli\.m?js$/.test(real)) return tsx({ command: found, args: line.args }, port);
  const shebang = parseShebang(host.head(real));
  if (!shebang)
    return {
      reason: `\`${line.command}\` (${real}) is a native program, not a Python or Node script: MCP Doctor cannot tell which runtime to debug.`,
    };
  const name = commandName(shebang.interpreter);
  if (isPythonName(name))
    return pythonInterpreter({ command: shebang.interpreter, args: [...shebang.args, real, ...line.args] }, [], port);
  if (name === 'node' || name === 'nodejs')
    return nodeRuntime({ command: shebang.interpreter, args: [...shebang.args, real, ...line.args] }, port);
  if (name === 'sh' || name === 'bash')
    return {
      reason: `\`${line.command}\` is a shell script: MCP Doctor cannot tell which program it starts. Point the config at that program to debug it.`,
    };
  return { reason: `\`${line.command}\` runs on \`${shebang.interpreter}\`, which MCP Doctor cannot debug.` };
}

/**
 * The interpreter of a script from its first bytes: `#!/usr/bin/env python3 -u` → python3 [-u];
 * `#!/venv/bin/python` → that path. pip writes a console script whose interpreter path is too
 * long for a shebang as `#!/bin/sh` followed by `'''exec' "/venv/bin/python" "$0" "$@"`: that
 * python is the interpreter.
 */
export function parseShebang(head: string | undefined): { interpreter: string; args: string[] } | undefined {
  if (!head?.startsWith('#!')) return undefined;
  const [first, second] = head.split(/\r?\n/, 2);
  const pipExec = /^'''exec' "([^"]+)" "\$0" "\$@"/.exec(second ?? '');
  if (pipExec && /\bsh$/.test(first.trim())) return { interpreter: pipExec[1], args: [] };
  const words = first.slice(2).trim().split(/\s+/).filter(Boolean);
  if (!words.length) return undefined;
  if (path.basename(words[0]) === 'env') {
    const rest = words.slice(1).filter((w, i) => !(i === 0 && w === '-S'));
    return rest.length ? { interpreter: rest[0], args: rest.slice(1) } : undefined;
  }
  return { interpreter: words[0], args: words.slice(1) };
}

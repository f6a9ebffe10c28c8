import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { ServerConfig } from '../config/types';
import { resolveCommand } from '../process/resolveCommand';
import { launchSpec } from '../session/launch';
import { DEBUG_HOST, type CommandLine, type PlanHost } from './launchPlan';

/** The machine as planning sees it, for one server's launch (its PATH, env and cwd). */
export function planHostFor(server: ServerConfig, workspaceFolder: string | undefined): PlanHost {
  const spec = launchSpec(server, undefined, workspaceFolder);
  return {
    cwd: spec.cwd,
    which: (command) => resolveCommand(command, spec.env, spec.cwd).path,
    realpath: (file) => {
      try {
        return fs.realpathSync(file);
      } catch {
        return undefined;
      }
    },
    head: (file) => {
      let fd: number | undefined;
      try {
        fd = fs.openSync(file, 'r');
        const buf = Buffer.alloc(512);
        const n = fs.readSync(fd, buf, 0, buf.length, 0);
        return buf.subarray(0, n).toString('utf8');
      } catch {
        return undefined;
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
      }
    },
  };
}

export type ProbeResult =
  { ok: true; version: string } | { ok: false; missing: boolean; output: string; commandLine: string };

/**
 * Asks the server's own interpreter (its env and cwd, through its wrapper such as `uv run`)
 * whether debugpy can be imported. `missing` is true when Python said the module is not there;
 * false when the probe could not run at all (its output says why).
 */
export function probeDebugpy(
  probe: CommandLine,
  server: ServerConfig,
  workspaceFolder: string | undefined,
  timeoutMs = 60_000,
): Promise<ProbeResult> {
  const spec = launchSpec(server, undefined, workspaceFolder);
  const commandLine = [probe.command, ...probe.args].join(' ');
  return new Promise((resolve) => {
    execFile(
      probe.command,
      probe.args,
      { cwd: spec.cwd, env: spec.env, timeout: timeoutMs, windowsHide: true, maxBuffer: 1024 * 1024 },
      (err, stdout, stderr) => {
        const version = String(stdout).trim();
        if (!err && /^\d+\.\d+/.test(version)) return resolve({ ok: true, version });
        const output = `${String(stdout)}${String(stderr)}`.trim();
        const missing = /No module named ['"]?debugpy\b|ModuleNotFoundError.*debugpy/.test(output);
        resolve({ ok: false, missing, output: output || (err ? err.message : ''), commandLine });
      },
    );
  });
}

/** A TCP port on the loopback address that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, DEBUG_HOST, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The status bar summary: how many servers MCP Doctor runs, and how many MCP problems its config
 * checks and running servers report (errors and warnings). Pure: the adapter draws it.
 */
import type { Finding } from '../model';
import type { SessionState } from '../session/types';

export interface StatusSummary {
  running: number;
  starting: number;
  failed: number;
  errors: number;
  warnings: number;
  /** The status bar text, with codicons. */
  text: string;
  /** One line per running or failed server, then the problem counts. */
  tooltip: string[];
}

export function statusSummary(
  sessions: readonly { serverName: string; state: SessionState }[],
  findings: readonly Pick<Finding, 'severity'>[],
): StatusSummary {
  const count = (k: SessionState['kind']) => sessions.filter((s) => s.state.kind === k).length;
  const running = count('running');
  const starting = count('starting');
  const failed = count('error');
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  const parts = [`$(pulse) MCP ${running}${starting ? `+${starting}` : ''} running`];
  if (failed) parts.push(`$(debug-stop) ${failed} failed`);
  if (errors) parts.push(`$(error) ${errors}`);
  if (warnings) parts.push(`$(warning) ${warnings}`);
  const tooltip: string[] = [];
  for (const s of sessions) {
    if (s.state.kind === 'running') tooltip.push(`$(pass-filled) ${s.serverName}: running`);
    else if (s.state.kind === 'starting') tooltip.push(`$(loading~spin) ${s.serverName}: starting`);
    else if (s.state.kind === 'error') tooltip.push(`$(error) ${s.serverName}: ${s.state.reason}`);
  }
  if (!tooltip.length) tooltip.push('No server started by MCP Doctor.');
  tooltip.push(
    errors + warnings
      ? `${errors} error${errors === 1 ? '' : 's'} and ${warnings} warning${warnings === 1 ? '' : 's'} in MCP configs and running servers`
      : 'No problems in MCP configs or running servers.',
  );
  return { running, starting, failed, errors, warnings, text: parts.join('  '), tooltip };
}

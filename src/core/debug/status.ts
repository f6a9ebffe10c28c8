import * as path from 'node:path';

/** Where a debug start of a server is, as the Servers tree says it. */
export type DebugPhase =
  | { kind: 'attaching' }
  | { kind: 'running' }
  | { kind: 'paused'; tool?: string; file?: string; line?: number; reason?: string }
  | { kind: 'ended' };

/** The tree's words for a debug phase: `paused in tool add`, `debugger attaching…`. */
export function debugStatusText(phase: DebugPhase): string | undefined {
  switch (phase.kind) {
    case 'attaching':
      return 'debugger attaching…';
    case 'running':
      return 'debugging';
    case 'paused': {
      if (phase.tool) return `paused in tool ${phase.tool}`;
      const where = phase.file ? ` at ${path.basename(phase.file)}${phase.line ? `:${phase.line}` : ''}` : '';
      return `paused${where}${phase.reason === 'exception' ? ' (exception)' : ''}`;
    }
    case 'ended':
      return undefined;
  }
}

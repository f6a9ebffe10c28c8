import type { DisplayEntry } from '../../../../src/shared/protocol';

/** 100k entries like a real session: calls to a few tools, responses, logs, stderr. */
export function syntheticEntries(n: number, sessions = 2): DisplayEntry[] {
  const tools = ['echo', 'add', 'longRunningOperation', 'get_weather', 'search_docs', 'printEnv'];
  const out: DisplayEntry[] = [];
  for (let i = 0; i < n; i++) {
    const sx = 1 + (i % sessions);
    const seq = Math.floor(i / sessions) + 1;
    const tool = tools[i % tools.length];
    const k = i % 10;
    if (k === 9) {
      out.push({
        sx,
        seq,
        ts: 1e12 + i,
        dir: 'in',
        kind: 'stderr',
        label: `INFO handled request ${i}`,
        size: 40,
        status: 'none',
      });
    } else if (k % 2 === 0) {
      out.push({
        sx,
        seq,
        ts: 1e12 + i,
        dir: 'out',
        kind: 'message',
        label: 'tools/call',
        method: 'tools/call',
        tool,
        latencyMs: (i % 97) + 0.5,
        size: 180,
        status: i % 50 === 0 ? 'error' : 'ok',
        errorCode: i % 50 === 0 ? -32602 : undefined,
        pair: seq + 1,
        preview: `{"message":"hello ${i} from the quick brown fox"}`,
      });
    } else {
      out.push({
        sx,
        seq,
        ts: 1e12 + i,
        dir: 'in',
        kind: 'message',
        label: 'result',
        method: 'tools/call',
        tool,
        latencyMs: (i % 97) + 0.5,
        size: 160,
        status: i % 53 === 0 ? 'tool-error' : 'ok',
        pair: seq - 1,
        preview: `Echo: hello ${i} from the quick brown fox`,
      });
    }
  }
  return out;
}

// Child process for the crash-safety test: writes a trace, lets one batch flush, queues more
// lines, announces "ready" and then blocks the event loop so no further flush can happen.
// The test SIGKILLs it and reopens the file.
import { TraceRecorder } from '../../../../src/core/trace/recorder';
import { makeHeader, TraceFileWriter } from '../../../../src/core/trace/store';

const file = process.argv[2];
const writer = new TraceFileWriter(file, makeHeader({ serverId: 'crash', serverName: 'crash', writer: 'test' }));
const rec = new TraceRecorder({ serverId: 'crash', serverName: 'crash', tap: writer.write });
for (let i = 1; i <= 300; i++) {
  rec.record(
    'message',
    'out',
    { jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'echo', arguments: { message: `m${i}` } } },
    i,
  );
  rec.record(
    'message',
    'in',
    { jsonrpc: '2.0', id: i, result: { content: [{ type: 'text', text: `m${i}` }] } },
    i + 0.5,
  );
}
/** Runs `then` once the 20 ms timer has written the 600 lines above (polled, no fixed wait). */
function whenFlushed(then: () => void): void {
  if (writer.linesWritten >= 600) then();
  else setTimeout(() => whenFlushed(then), 5);
}

whenFlushed(() => {
  // The 20 ms timer has flushed the 600 lines above. These 5 stay queued.
  for (let i = 301; i <= 305; i++) rec.record('message', 'out', { jsonrpc: '2.0', id: i, method: 'ping' }, i);
  process.stdout.write(`ready ${writer.linesWritten}\n`, () => {
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      // block: the flush timer never runs
    }
  });
});

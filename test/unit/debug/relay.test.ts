import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { freePort } from '../../../src/core/debug/machine';
import { DebugRelay } from '../../../src/core/debug/relay';
import { waitFor } from '../../waitFor';

/** Connects to a port and collects what comes back. */
function client(port: number): Promise<{ socket: net.Socket; received: () => string; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    let data = '';
    let closed = false;
    const socket = net.connect(port, '127.0.0.1');
    socket.on('data', (d) => (data += d.toString()));
    socket.on('close', () => (closed = true));
    socket.once('error', reject);
    socket.once('connect', () => resolve({ socket, received: () => data, closed: () => closed }));
  });
}

describe('DebugRelay: VS Code reaches debugpy without the port being probed', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => cleanup.splice(0).forEach((f) => f()));

  it('holds what the client sends until the target listens, then pipes both ways; the target sees one connection', async () => {
    const targetPort = await freePort();
    const relay = await DebugRelay.start(targetPort, { connectTimeoutMs: 10000, retryMs: 20 });
    cleanup.push(() => relay.dispose());
    const c = await client(relay.port);
    c.socket.write('initialize\n'); // before anything listens on the target port
    let connections = 0;
    let got = '';
    const target = net.createServer((s) => {
      connections++;
      s.on('data', (d) => {
        got += d.toString();
        s.write(`ack ${d.toString()}`);
      });
    });
    cleanup.push(() => target.close());
    await new Promise<void>((r) => target.listen(targetPort, '127.0.0.1', () => r()));
    await waitFor(() => c.received() === 'ack initialize\n', 'the answer through the relay', 5000);
    assert.equal(got, 'initialize\n');
    assert.equal(connections, 1);
    c.socket.destroy();
  });

  it('gives up when told to (the server process is gone), closing the client', async () => {
    let gone = false;
    const relay = await DebugRelay.start(await freePort(), { connectTimeoutMs: 10000, giveUp: () => gone });
    cleanup.push(() => relay.dispose());
    const c = await client(relay.port);
    gone = true;
    await waitFor(() => c.closed(), 'the client to be closed', 5000);
  });
});

import * as assert from 'node:assert/strict';
import { Client as ClientV2, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { lintToolList } from '../../../src/core/session/toolLint';

/** A server in memory whose `tools/list` holds the given tools. */
class ListServer implements Transport {
  onmessage?: (m: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (e: Error) => void;
  constructor(private readonly tools: unknown[]) {}
  async start(): Promise<void> {}
  async close(): Promise<void> {
    this.onclose?.();
  }
  async send(message: JSONRPCMessage): Promise<void> {
    const m = message as { id?: number; method?: string; params?: { protocolVersion?: string } };
    if (m.id === undefined) return;
    const result =
      m.method === 'initialize'
        ? {
            protocolVersion: m.params?.protocolVersion,
            capabilities: { tools: {} },
            serverInfo: { name: 's', version: '1' },
          }
        : { tools: this.tools };
    queueMicrotask(() => this.onmessage?.({ jsonrpc: '2.0', id: m.id!, result } as JSONRPCMessage));
  }
}

const good = { name: 'good', description: 'fine', inputSchema: { type: 'object', properties: {} } };
const scalar = { name: 'scalar', description: 'top-level string schema', inputSchema: { type: 'string' } };

/** The number of tools a client sees, or the error it throws. */
async function seen(
  make: () => {
    connect(t: Transport): Promise<void>;
    listTools(): Promise<{ tools: unknown[] }>;
    close(): Promise<void>;
  },
  tools: unknown[],
) {
  const client = make();
  await client.connect(new ListServer(tools));
  try {
    return (await client.listTools()).tools.length;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  } finally {
    await client.close();
  }
}

describe('MCP710 ground truth: what SDK clients do with one bad tool', () => {
  for (const [sdk, make] of [
    ['@modelcontextprotocol/sdk 1.x', () => new ClientV1({ name: 't', version: '1' })],
    ['@modelcontextprotocol/client 2.x', () => new ClientV2({ name: 't', version: '1' })],
  ] as const) {
    it(`${sdk}: a top-level "type": "string" input schema loses the whole list; MCP Doctor says so`, async () => {
      assert.equal(await seen(make as never, [good]), 1);
      const r = await seen(make as never, [good, scalar]);
      assert.ok(r instanceof Error, `expected the whole list to be rejected, got ${String(r)}`);
      const [p] = lintToolList([good, scalar]);
      assert.equal(p.tool, 'scalar');
      assert.equal(p.rejectsList, true);
    });
  }

  it('a missing description is a warning only (the list survives)', async () => {
    const nodesc = { name: 'nodesc', inputSchema: { type: 'object' } };
    assert.equal(await seen(() => new ClientV2({ name: 't', version: '1' }) as never, [good, nodesc]), 2);
    assert.equal(lintToolList([nodesc])[0].rejectsList, false);
  });
});

import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { SessionBridge } from '../../../../src-main/core/http/session-bridge.js';

/** A stand-in for the SDK's server transport that records what the bridge sends. */
class RecordingTransport {
  sent: Array<{ message: Record<string, unknown>; related: unknown }> = [];
  closed = 0;
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  async send(message: JSONRPCMessage, options?: { relatedRequestId?: unknown }): Promise<void> {
    this.sent.push({ message: message as Record<string, unknown>, related: options?.relatedRequestId });
  }
  async close(): Promise<void> {
    this.closed++;
    this.onclose?.();
  }
}

function setup() {
  const transport = new RecordingTransport();
  const notes: string[] = [];
  let forgotten = 0;
  const bridge = new SessionBridge({ transport, note: (text) => notes.push(text), onClosed: () => void forgotten++ });
  const pushed: string[] = [];
  const closedWith: Array<string | undefined> = [];
  bridge.attach({ push: (chunk) => void pushed.push(chunk.toString()), close: async (reason) => void closedWith.push(reason) });
  const fromClient = (message: Record<string, unknown>): void => transport.onmessage?.({ jsonrpc: '2.0', ...message } as JSONRPCMessage);
  const fromSession = (message: Record<string, unknown>): boolean => bridge.downstream.write(JSON.stringify({ jsonrpc: '2.0', ...message }) + '\n');
  return { transport, bridge, notes, pushed, closedWith, fromClient, fromSession, forgotten: () => forgotten };
}

describe('SessionBridge', () => {
  it('hands each client message to the session as one JSON line', () => {
    const { pushed, fromClient } = setup();
    fromClient({ id: 1, method: 'tools/list' });
    fromClient({ method: 'notifications/initialized' });
    expect(pushed).toEqual(['{"jsonrpc":"2.0","id":1,"method":"tools/list"}\n', '{"jsonrpc":"2.0","method":"notifications/initialized"}\n']);
  });

  it('sends a response by its id and a progress notification on the request that carried its token', () => {
    const { transport, fromClient, fromSession } = setup();
    fromClient({ id: 7, method: 'tools/call', params: { name: 'slow', _meta: { progressToken: 'p7' } } });
    fromClient({ id: 8, method: 'tools/call', params: { name: 'other' } });
    fromSession({ method: 'notifications/progress', params: { progressToken: 'p7', progress: 1 } });
    fromSession({ id: 7, result: { content: [] } });
    expect(transport.sent.map((s) => s.related)).toEqual([7, undefined]);
    expect(transport.sent[1]?.message.id).toBe(7);
  });

  it('puts a server request on the newest open request without a GET stream, and on the GET stream when one is open', () => {
    const { transport, bridge, fromClient, fromSession } = setup();
    fromClient({ id: 1, method: 'tools/call', params: { name: 'a' } });
    fromClient({ id: 2, method: 'tools/call', params: { name: 'sample' } });
    fromSession({ id: 's1', method: 'sampling/createMessage', params: {} });
    bridge.standaloneStreams = 1;
    fromSession({ id: 's2', method: 'sampling/createMessage', params: {} });
    expect(transport.sent.map((s) => s.related)).toEqual([2, undefined]);
  });

  it('drops a reply no open request waits for, and a line that does not parse, with a note for the latter', () => {
    const { transport, notes, fromSession, bridge } = setup();
    fromSession({ id: 99, result: {} });
    bridge.downstream.write('{"jsonrpc":"2.0","id":\n');
    expect(transport.sent).toEqual([]);
    expect(notes.some((note) => note.startsWith('dropped a line a session wrote'))).toBe(true);
  });

  it('closes the transport when the session ends its downstream, after what it wrote was sent', async () => {
    const { transport, bridge, fromClient, fromSession, closedWith, forgotten } = setup();
    fromClient({ id: 1, method: 'tools/call', params: { name: 'x' } });
    expect(transport.closed).toBe(0);
    fromSession({ id: 1, error: { code: -32002, message: 'the client key was revoked' } });
    bridge.downstream.end();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(transport.sent).toHaveLength(1);
    expect(transport.closed).toBe(1);
    expect(closedWith).toEqual(['the session ended']);
    expect(forgotten()).toBe(1);
  });

  it('closes the session when the transport closes (an HTTP DELETE), once', async () => {
    const { transport, closedWith, forgotten, bridge } = setup();
    await transport.close();
    await bridge.close('later');
    expect(closedWith).toEqual(['the HTTP client ended the session']);
    expect(forgotten()).toBe(1);
    expect(bridge.isClosed).toBe(true);
  });

  it('holds new requests while the session is paused and lets them in on resume', async () => {
    const { bridge } = setup();
    bridge.downstream.pause();
    let admitted = false;
    const waiting = bridge.admitted().then(() => (admitted = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(admitted).toBe(false);
    bridge.downstream.resume();
    await waiting;
    expect(admitted).toBe(true);
  });
});

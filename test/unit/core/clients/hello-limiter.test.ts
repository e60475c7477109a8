import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { HelloLimiter } from '../../../../src-main/core/clients/hello-limiter.js';

class FakeConnection extends EventEmitter {
  destroyed = false;
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('G8: HelloLimiter', () => {
  it('delays each failure more as recent failures add up, up to the cap', () => {
    let now = 0;
    const limiter = new HelloLimiter(() => now, { baseMs: 250, stepMs: 250, maxMs: 4000, decayMs: 1000 });
    const delays: number[] = [];
    for (let i = 0; i < 20; i++) {
      delays.push(limiter.delayFor());
      limiter.refuseLater(new FakeConnection(), () => undefined);
    }
    expect(delays.slice(0, 3)).toEqual([250, 500, 750]);
    expect(Math.max(...delays)).toBe(4000);
    // Failures are forgotten as time passes.
    now += 60_000;
    expect(limiter.delayFor()).toBe(250);
  });

  it('refuses a failed hello only after its delay', async () => {
    const limiter = new HelloLimiter(Date.now, { baseMs: 40 });
    let refused = false;
    limiter.refuseLater(new FakeConnection(), () => (refused = true));
    expect(refused).toBe(false);
    expect(limiter.held).toBe(1);
    await tick(200);
    expect(refused).toBe(true);
    expect(limiter.held).toBe(0);
  });

  it('closes a failing connection at once when too many refusals are already held', () => {
    const limiter = new HelloLimiter(Date.now, { baseMs: 10_000, maxHeld: 3 });
    const connections = Array.from({ length: 5 }, () => new FakeConnection());
    for (const connection of connections) limiter.refuseLater(connection, () => undefined);
    expect(connections.map((c) => c.destroyed)).toEqual([false, false, false, true, true]);
    expect(limiter.held).toBe(3);
    // A held connection that closes frees its slot.
    connections[0]?.destroy();
    expect(limiter.held).toBe(2);
    for (const connection of connections) connection.destroy();
  });

  it('sends nothing to a connection that closed while held', async () => {
    const limiter = new HelloLimiter(Date.now, { baseMs: 30 });
    const connection = new FakeConnection();
    let refused = false;
    limiter.refuseLater(connection, () => (refused = true));
    connection.destroy();
    await tick(100);
    expect(refused).toBe(false);
  });

  it('reports and closes when sending the refusal fails', async () => {
    const notes: string[] = [];
    const limiter = new HelloLimiter(Date.now, { baseMs: 10, note: (text) => notes.push(text) });
    const connection = new FakeConnection();
    limiter.refuseLater(connection, () => {
      throw new Error('EPIPE');
    });
    await tick(80);
    expect(notes).toEqual(['sending a delayed refusal failed: EPIPE']);
    expect(connection.destroyed).toBe(true);
  });
});

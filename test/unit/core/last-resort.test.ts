import { afterEach, describe, expect, it } from 'vitest';
import { installLastResort, type LastResort } from '../../../src-main/core/last-resort.js';

describe('G5: installLastResort()', () => {
  let installed: LastResort | undefined;
  afterEach(() => installed?.dispose());

  /** The handler it added (called directly: emitting the real event would reach vitest's own). */
  const last = (event: 'uncaughtException' | 'unhandledRejection'): ((error: unknown) => void) =>
    (event === 'uncaughtException' ? process.listeners('uncaughtException') : process.listeners('unhandledRejection')).at(-1) as (error: unknown) => void;

  it('writes one redacted "uncaught:" line per uncaught exception and counts them', () => {
    const lines: string[] = [];
    installed = installLastResort((line) => lines.push(line), () => (text) => text.replaceAll('sk-live-123456', '«secret:KEY»'));
    last('uncaughtException')(new TypeError('cannot read sk-live-123456'));
    last('unhandledRejection')(new Error('second'));
    expect(installed.count()).toBe(2);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[.+\] uncaught: #1 exception TypeError: cannot read «secret:KEY»\n$/);
    expect(lines[1]).toContain('uncaught: #2 rejection Error: second');
    expect(lines.join('')).not.toContain('sk-live-123456');
  });

  it('writes the name and message only (no stack) before a redactor exists', () => {
    const lines: string[] = [];
    installed = installLastResort((line) => lines.push(line), () => undefined);
    last('uncaughtException')(new Error('boom'));
    expect(lines[0]).toContain('uncaught: #1 exception Error: boom');
    expect(lines[0]).not.toContain('last-resort.test');
  });

  it('removes its handlers when disposed', () => {
    const before = process.listenerCount('uncaughtException');
    const resort = installLastResort(() => undefined, () => undefined);
    expect(process.listenerCount('uncaughtException')).toBe(before + 1);
    resort.dispose();
    expect(process.listenerCount('uncaughtException')).toBe(before);
  });
});

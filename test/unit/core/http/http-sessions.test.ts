import { describe, expect, it } from 'vitest';
import { HttpSessions, type HttpSessionEntry } from '../../../../src-main/core/http/http-sessions.js';

function setup(options: { max?: number; revoked?: Set<string> } = {}) {
  let now = 0;
  const closed: Array<{ id: string; reason: string }> = [];
  const sessions = new HttpSessions({
    now: () => now,
    idleMs: 60_000,
    maxPerKey: () => options.max ?? 2,
    isRevoked: (client) => options.revoked?.has(client) ?? false,
    note: () => undefined,
  });
  const entry = (id: string, client: string, server: string | undefined = 'everything'): HttpSessionEntry => ({
    id,
    client,
    server,
    close: async (reason) => void closed.push({ id, reason }),
    serve: async () => undefined,
  });
  return { sessions, entry, closed, advance: (ms: number) => (now += ms) };
}

describe('HttpSessions', () => {
  describe('capRefusal()', () => {
    it('refuses a key at its limit with a sentence naming the setting, and counts keys apart', () => {
      const { sessions, entry } = setup({ max: 2 });
      sessions.add(entry('a', 'editor'));
      expect(sessions.capRefusal('editor')).toBeUndefined();
      sessions.add(entry('b', 'editor'));
      expect(sessions.capRefusal('editor')).toContain('maxHttpSessionsPerKey = 2');
      expect(sessions.capRefusal('other')).toBeUndefined();
      sessions.remove('a');
      expect(sessions.capRefusal('editor')).toBeUndefined();
    });
  });

  describe('find()', () => {
    it('finds a session only with the client and path that opened it', () => {
      const { sessions, entry } = setup();
      sessions.add(entry('a', 'editor', 'everything'));
      expect(sessions.find('a', 'editor', 'everything')?.id).toBe('a');
      expect(sessions.find('a', 'other', 'everything')).toBeUndefined();
      expect(sessions.find('a', 'editor', undefined)).toBeUndefined();
      expect(sessions.find('b', 'editor', 'everything')).toBeUndefined();
    });
  });

  describe('sweep()', () => {
    it('closes a session idle past the limit, but not one with a request or stream open', () => {
      const { sessions, entry, closed, advance } = setup();
      sessions.add(entry('idle', 'editor'));
      sessions.add(entry('busy', 'editor'));
      const end = sessions.begin('busy');
      advance(59_000);
      expect(sessions.sweep()).toBe(0);
      advance(2_000);
      expect(sessions.sweep()).toBe(1);
      expect(closed).toEqual([{ id: 'idle', reason: 'the HTTP session was idle for 1 min' }]);
      end();
      advance(60_000);
      expect(sessions.sweep()).toBe(1);
      expect(sessions.size).toBe(0);
    });

    it('closes the sessions of a revoked key at once', () => {
      const revoked = new Set<string>();
      const { sessions, entry, closed } = setup({ revoked });
      sessions.add(entry('a', 'editor'));
      sessions.add(entry('b', 'other'));
      revoked.add('editor');
      expect(sessions.sweep()).toBe(1);
      expect(closed).toEqual([{ id: 'a', reason: 'the client key was revoked' }]);
    });
  });

  describe('closeAll()', () => {
    it('closes every session with the reason given', async () => {
      const { sessions, entry, closed } = setup();
      sessions.add(entry('a', 'editor'));
      sessions.add(entry('b', 'other'));
      await sessions.closeAll('Warden is shutting down');
      expect(closed.map((c) => c.reason)).toEqual(['Warden is shutting down', 'Warden is shutting down']);
      expect(sessions.size).toBe(0);
    });
  });
});

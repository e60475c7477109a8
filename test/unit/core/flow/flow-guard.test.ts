import { describe, expect, it } from 'vitest';
import type { FlowGuardMode } from '../../../../src-shared/flow-api.js';
import { FlowGuard, MAX_UNJOINED_GROUPS } from '../../../../src-main/core/flow/flow-guard.js';
import { MAX_LEGS, processGroup, sessionGroup } from '../../../../src-main/core/flow/flow-group.js';
import { EXTERNAL, PRIVATE, UNTRUSTED } from '../../../../src-main/core/flow/label-hints.js';
import type { Verdict } from '../../../../src-main/core/policy/policy.js';

const LABELS: Record<string, number> = {
  'github/get_file_contents': PRIVATE,
  'web/fetch': UNTRUSTED | EXTERNAL,
  'slack/post_message': EXTERNAL,
  'notes/search': 0,
};
const allow: Verdict = { action: 'allow', reason: 'rule 1', meta: { type: 'rule', ruleId: 1 } };

function setup(options: { mode?: FlowGuardMode; idleMs?: number } = {}) {
  const clock = { now: 1000 };
  const settings = { mode: options.mode ?? 'ask', idleMs: options.idleMs ?? 0 };
  const guard = new FlowGuard({
    labels: { bitsFor: (server, tool) => LABELS[`${server}/${tool}`] ?? (server === 'secretive' ? PRIVATE : 0) },
    settings: { mode: () => settings.mode, idleMs: () => settings.idleMs },
    now: () => clock.now,
    redact: (text) => text.replaceAll('hunter2', '«secret:PW»'),
  });
  const leave = guard.join(sessionGroup('claude', 's1'));
  return { guard, clock, settings, leave, group: 'session:s1' };
}

describe('FlowGuard', () => {
  describe('judge()', () => {
    it('holds an external call once the group read private data and untrusted content, naming the legs', () => {
      const { guard, group } = setup();
      guard.record(group, 'github', 'get_file_contents');
      expect(guard.judge(group, 'slack', 'post_message', allow)).toBe(allow);
      guard.record(group, 'web', 'fetch');
      const held = guard.judge(group, 'slack', 'post_message', allow);
      expect(held.action).toBe('ask');
      expect(held.reason).toBe(
        'flow guard: this conversation read private data (github → get_file_contents) and untrusted content (web → fetch); slack → post_message can send it out',
      );
      expect(held.meta).toMatchObject({ type: 'guard', guard: 'flow', ruleId: 1, flow: { group, private: [{ server: 'github', tool: 'get_file_contents' }], untrusted: [{ server: 'web', tool: 'fetch' }] } });
      expect(held.charged).toBe(true);
    });

    it('holds whatever the order of the two legs, and lets through calls to tools that cannot send out', () => {
      const { guard, group } = setup();
      guard.record(group, 'web', 'fetch');
      guard.record(group, 'github', 'get_file_contents');
      expect(guard.judge(group, 'slack', 'post_message', allow).action).toBe('ask');
      expect(guard.judge(group, 'web', 'fetch', allow).action).toBe('ask');
      expect(guard.judge(group, 'notes', 'search', allow)).toBe(allow);
      expect(guard.judge(group, 'github', 'get_file_contents', allow)).toBe(allow);
    });

    it('refuses instead with setting flowGuard deny, and neither judges nor records with off', () => {
      const { guard, group, settings } = setup({ mode: 'deny' });
      guard.record(group, 'web', 'fetch');
      guard.record(group, 'github', 'get_file_contents');
      const refused = guard.judge(group, 'slack', 'post_message', allow);
      expect(refused.action).toBe('deny');
      expect(refused.reason).toMatch(/can send it out \(setting flowGuard is deny\)$/);
      settings.mode = 'off';
      expect(guard.judge(group, 'slack', 'post_message', allow)).toBe(allow);
      guard.record(group, 'notes', 'search');
      guard.record(group, 'secretive', 'read_more');
      expect(guard.list()[0]?.legs.map((leg) => leg.tool)).toEqual(['fetch', 'get_file_contents']);
    });

    it('keeps a deny, and keeps what an earlier ask said (its reason, the secrets it found) beside the legs', () => {
      const { guard, group } = setup();
      guard.record(group, 'web', 'fetch');
      guard.record(group, 'github', 'get_file_contents');
      const denied: Verdict = { action: 'deny', reason: 'rule 2', meta: { type: 'rule', ruleId: 2 } };
      expect(guard.judge(group, 'slack', 'post_message', denied)).toBe(denied);
      const leak: Verdict = { action: 'ask', reason: 'the arguments contain the value of secret PW', meta: { type: 'guard', guard: 'secret-leak', secrets: ['PW'] } };
      const held = guard.judge(group, 'slack', 'post_message', leak);
      expect(held.reason).toMatch(/; also: the arguments contain the value of secret PW$/);
      expect(held.meta).toMatchObject({ guard: 'flow', secrets: ['PW'] });
      expect(held.charged).toBe(false);
    });

    it('counts only the group\'s own legs: another group starts clean', () => {
      const { guard, group } = setup();
      guard.join(processGroup('claude', 4242));
      guard.record(group, 'web', 'fetch');
      guard.record(group, 'github', 'get_file_contents');
      expect(guard.judge('process:4242:claude', 'slack', 'post_message', allow)).toBe(allow);
    });

    it('redacts secret values out of the tool names it quotes', () => {
      const { guard, group } = setup();
      guard.record(group, 'web', 'fetch');
      guard.record(group, 'secretive', 'read_hunter2');
      const held = guard.judge(group, 'slack', 'post_message', allow);
      expect(held.reason).toContain('secretive → read_«secret:PW»');
      expect(held.reason).not.toContain('hunter2');
      expect(JSON.stringify(held.meta)).not.toContain('hunter2');
      expect(JSON.stringify(guard.list())).not.toContain('hunter2');
    });
  });

  describe('release()', () => {
    it('ends the guard for that group until the group ends', () => {
      const { guard, group, leave } = setup();
      guard.record(group, 'web', 'fetch');
      guard.record(group, 'github', 'get_file_contents');
      guard.release(group);
      expect(guard.judge(group, 'slack', 'post_message', allow)).toBe(allow);
      expect(guard.list()[0]?.released).toBe(true);
      leave();
      guard.join(sessionGroup('claude', 's1'));
      guard.record(group, 'web', 'fetch');
      guard.record(group, 'github', 'get_file_contents');
      expect(guard.judge(group, 'slack', 'post_message', allow).action).toBe('ask');
    });
  });

  describe('join()', () => {
    it('forgets a group\'s legs when its last connection leaves, and not before', () => {
      const { guard, group, leave } = setup();
      const second = guard.join(sessionGroup('claude', 's1'));
      guard.record(group, 'web', 'fetch');
      guard.record(group, 'github', 'get_file_contents');
      leave();
      leave();
      expect(guard.judge(group, 'slack', 'post_message', allow).action).toBe('ask');
      second();
      expect(guard.list()).toEqual([]);
      expect(guard.judge(group, 'slack', 'post_message', allow)).toBe(allow);
    });
  });

  describe('record()', () => {
    it('guards a group no connection joined, and keeps a bounded number of them, dropping the least recently active', () => {
      const { guard, clock } = setup();
      guard.record('http:a', 'web', 'fetch');
      guard.record('http:a', 'github', 'get_file_contents');
      expect(guard.judge('http:a', 'slack', 'post_message', allow).action).toBe('ask');
      for (let index = 0; index < MAX_UNJOINED_GROUPS + 50; index++) {
        clock.now++;
        guard.record(`http:${index}`, 'notes', 'search');
      }
      const ids = guard.list().map((group) => group.id);
      expect(ids.length).toBeLessThanOrEqual(MAX_UNJOINED_GROUPS + 1);
      expect(ids).toContain('session:s1');
      expect(ids).not.toContain('http:a');
    });
  });

  describe('idle time', () => {
    it('forgets the legs of a group idle longer than the setting, and keeps them with 0', () => {
      const { guard, group, clock, settings } = setup({ idleMs: 60_000 });
      guard.record(group, 'web', 'fetch');
      guard.record(group, 'github', 'get_file_contents');
      clock.now += 30_000;
      expect(guard.judge(group, 'slack', 'post_message', allow).action).toBe('ask');
      clock.now += 60_001;
      expect(guard.list()[0]?.legs).toEqual([]);
      expect(guard.judge(group, 'slack', 'post_message', allow)).toBe(allow);
      settings.idleMs = 0;
      guard.record(group, 'web', 'fetch');
      guard.record(group, 'github', 'get_file_contents');
      clock.now += 10 * 24 * 3600_000;
      expect(guard.judge(group, 'slack', 'post_message', allow).action).toBe('ask');
    });
  });

  describe('list()', () => {
    it('keeps a bounded list of legs for people but never loses a label, so the reason still names each kind', () => {
      const { guard, group } = setup();
      for (let index = 0; index < 500; index++) guard.record(group, 'secretive', `tool_${index}`);
      guard.record(group, 'web', 'fetch');
      const [info] = guard.list();
      expect(info?.legs.length).toBeLessThanOrEqual(MAX_LEGS + 3);
      expect(info?.moreLegs).toBeGreaterThan(0);
      expect(info).toMatchObject({ readPrivate: true, readUntrusted: true, kind: 'session', client: 'claude', connections: 1 });
      expect(guard.judge(group, 'slack', 'post_message', allow).reason).toMatch(/untrusted content \(web → fetch\)/);
      expect(guard.judge(group, 'slack', 'post_message', allow).reason).toMatch(/and \d+ more\)/);
    });
  });
});

describe('processGroup()', () => {
  it('groups shims by client and parent pid, and puts a hello without a usable pid in the client\'s catch-all group', () => {
    expect(processGroup('claude', 1234)).toEqual({ id: 'process:1234:claude', client: 'claude', kind: 'process', parentPid: 1234 });
    for (const bad of [undefined, 0, -1, 1.5, '1234', 2 ** 40, Number.NaN, { pid: 1 }]) {
      expect(processGroup('claude', bad)).toEqual({ id: 'client:claude', client: 'claude', kind: 'client', parentPid: null });
    }
  });
});

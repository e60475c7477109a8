import { describe, expect, it } from 'vitest';
import { callKind } from '../../../src-shared/call-kind.js';

const row = (outcome: string, reason: string | null, notes: string | null = null, decision = 'deny') => ({ outcome: outcome as 'denied', decision, reason, notes });

describe('callKind()', () => {
  it('names what refused a denied call: the kill switch, a limit, a rule or default, else a guard', () => {
    expect(callKind(row('denied', 'MCP Warden is paused: every call is refused until you run "warden resume"'))).toBe('paused');
    expect(callKind(row('denied', 'Rate limit: 1 calls per 1 min for limit 1 (everything / get-env); retry in 60 s'))).toBe('limit');
    expect(callKind(row('denied', 'rule 2 (everything / get-sum = deny)'))).toBe('rule');
    expect(callKind(row('denied', 'no rule matches; the default action of server "x" is deny'))).toBe('rule');
    expect(callKind(row('denied', 'an argument matches deny pattern 1 ("aws key")'))).toBe('guard');
  });

  it('prefers the structured reason type over the sentence when the core gives it', () => {
    expect(callKind({ ...row('denied', 'rule 2 (…)'), reasonType: 'limit' })).toBe('limit');
  });

  it('tells the user\'s deny, a timeout and a pause apart by the ask\'s recorded answer', () => {
    const asked = (answer: string) => row('denied', 'rule 1 (everything / echo = ask)', JSON.stringify({ approval: { id: 'a', answer } }), 'ask');
    expect(callKind(asked('deny'))).toBe('user');
    expect(callKind(asked('deny-always'))).toBe('user');
    expect(callKind(asked('timeout'))).toBe('timeout');
    expect(callKind(asked('paused'))).toBe('paused');
  });

  it('reads notes that are not JSON as no answer, never throwing', () => {
    expect(callKind(row('denied', 'rule 3 (a / b = deny)', '{not json'))).toBe('rule');
  });

  it('calls a pending ask waiting while its ask is open and running once answered', () => {
    expect(callKind(row('pending', 'rule 1', null, 'ask'), () => true)).toBe('waiting');
    expect(callKind(row('pending', 'rule 1', null, 'ask'), () => false)).toBe('running');
    expect(callKind(row('pending', 'rule 1', null, 'allow'))).toBe('running');
  });

  it('maps the other outcomes one to one', () => {
    expect(callKind(row('ok', null))).toBe('ok');
    expect(callKind(row('error', null))).toBe('failed');
    expect(callKind(row('refused', null))).toBe('refused');
    expect(callKind(row('cancelled', null))).toBe('cancelled');
    expect(callKind(row('interrupted', null))).toBe('interrupted');
  });
});

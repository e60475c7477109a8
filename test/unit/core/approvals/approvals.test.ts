import { afterEach, describe, expect, it, vi } from 'vitest';
import { Approvals, type ApprovalRequest } from '../../../../src-main/core/approvals/approvals.js';

const request = (over: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
  client: 'claude',
  server: 'github',
  tool: 'delete_repo',
  arguments: '{"repo":"x"}',
  reason: 'rule 3 (github / delete_* = ask)',
  dedupeKey: 'claude|github|delete_repo|{"repo":"x"}',
  rule: { kind: 'tool', target: 'delete_repo' },
  ...over,
});

describe('Approvals', () => {
  afterEach(() => vi.useRealTimers());

  it.each(['allow-once', 'allow-session', 'allow-always', 'deny', 'deny-always'] as const)('settles with the answer %s', async (answer) => {
    const approvals = new Approvals(() => 0, () => 45_000);
    const { id, outcome } = approvals.request(request());
    expect(approvals.list().map((a) => a.id)).toEqual([id]);
    expect(approvals.answer(id, answer)).toBe('answered');
    await expect(outcome).resolves.toEqual({ answer, approvalId: id });
    expect(approvals.list()).toEqual([]);
    expect(approvals.answer(id, answer)).toBe('not-pending');
  });

  it('times out with a deadline the list shows', async () => {
    vi.useFakeTimers();
    const approvals = new Approvals(() => 1000, () => 45_000);
    const { id, outcome } = approvals.request(request());
    expect(approvals.get(id)?.deadline).toBe(46_000);
    vi.advanceTimersByTime(45_000);
    await expect(outcome).resolves.toEqual({ answer: 'timeout', approvalId: id });
  });

  it('shows identical concurrent asks once and answers them together', async () => {
    const approvals = new Approvals(() => 0, () => 45_000);
    const first = approvals.request(request());
    const second = approvals.request(request());
    const other = approvals.request(request({ dedupeKey: 'different arguments' }));
    expect(second.id).toBe(first.id);
    expect(approvals.list()).toHaveLength(2);
    approvals.answer(first.id, 'deny');
    await expect(first.outcome).resolves.toMatchObject({ answer: 'deny' });
    await expect(second.outcome).resolves.toMatchObject({ answer: 'deny' });
    expect(approvals.list().map((a) => a.id)).toEqual([other.id]);
  });

  it('tells subscribers of each new and settled approval', () => {
    const approvals = new Approvals(() => 0, () => 45_000);
    const events: string[] = [];
    approvals.subscribe((event, approval) => events.push(`${event}:${approval.tool}`));
    const { id } = approvals.request(request());
    approvals.answer(id, 'allow-once');
    expect(events).toEqual(['added:delete_repo', 'settled:delete_repo']);
  });

  describe('G4: an ask lives only while its call does', () => {
    it('removes the ask when its only call withdraws, and then refuses an answer to it', async () => {
      const approvals = new Approvals(() => 0, () => 45_000);
      const events: string[] = [];
      approvals.subscribe((event) => events.push(event));
      const ticket = approvals.request(request());
      ticket.withdraw();
      expect(approvals.list()).toEqual([]);
      expect(events).toEqual(['added', 'settled']);
      expect(approvals.answer(ticket.id, 'allow-once')).toBe('not-pending');
    });

    it('keeps a shared ask until the last of its calls withdraws', async () => {
      const approvals = new Approvals(() => 0, () => 45_000);
      const first = approvals.request(request());
      const second = approvals.request(request());
      first.withdraw();
      expect(approvals.list().map((a) => a.id)).toEqual([first.id]);
      expect(approvals.answer(first.id, 'deny')).toBe('answered');
      await expect(second.outcome).resolves.toMatchObject({ answer: 'deny' });
    });

    it('denies every pending ask when paused and takes no answer while paused', async () => {
      let paused = false;
      const approvals = new Approvals(() => 0, () => 45_000, () => paused);
      const a = approvals.request(request());
      const b = approvals.request(request({ dedupeKey: 'other' }));
      paused = true;
      approvals.pauseAll();
      await expect(a.outcome).resolves.toEqual({ answer: 'paused', approvalId: a.id });
      await expect(b.outcome).resolves.toMatchObject({ answer: 'paused' });
      const c = approvals.request(request({ dedupeKey: 'third' }));
      expect(approvals.answer(c.id, 'allow-once')).toBe('paused');
      expect(approvals.list().map((x) => x.id)).toEqual([c.id]);
    });

    it('keeps the real rule target apart from the shown, redacted tool', () => {
      const approvals = new Approvals(() => 0, () => 45_000);
      const { id } = approvals.request(request({ tool: 'resource:file:///«secret:TOKEN»', rule: { kind: 'resource', target: 'file:///ghp_x' } }));
      expect(approvals.get(id)?.tool).toBe('resource:file:///«secret:TOKEN»');
      expect(approvals.ruleOf(id)).toEqual({ kind: 'resource', target: 'file:///ghp_x' });
    });
  });
});

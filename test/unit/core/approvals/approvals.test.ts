import { afterEach, describe, expect, it, vi } from 'vitest';
import { Approvals, type ApprovalRequest } from '../../../../src-main/core/approvals/approvals.js';

const request = (over: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
  client: 'claude',
  server: 'github',
  tool: 'delete_repo',
  arguments: '{"repo":"x"}',
  reason: 'rule 3 (github / delete_* = ask)',
  dedupeKey: 'claude|github|delete_repo|{"repo":"x"}',
  ...over,
});

describe('Approvals', () => {
  afterEach(() => vi.useRealTimers());

  it.each(['allow-once', 'allow-session', 'allow-always', 'deny', 'deny-always'] as const)('settles with the answer %s', async (answer) => {
    const approvals = new Approvals(() => 0, () => 45_000);
    const { id, outcome } = approvals.request(request());
    expect(approvals.list().map((a) => a.id)).toEqual([id]);
    expect(approvals.answer(id, answer)).toBe(true);
    await expect(outcome).resolves.toEqual({ answer, approvalId: id });
    expect(approvals.list()).toEqual([]);
    expect(approvals.answer(id, answer)).toBe(false);
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
});

import { describe, expect, it } from 'vitest';
import { WATCH_KEYS, describeAsk, printable } from '../../../../src-main/cli/commands/approvals-watch.js';

describe('describeAsk()', () => {
  const ask = { id: 'ap_1', client: 'c', server: 's', tool: 'to\u001b[2Jol', arguments: '{"x":"\u001b[1A\u001b[2Kfake"}', reason: 'r', createdAt: 0, deadline: 30_000 };

  it('replaces control characters, so an argument cannot redraw the terminal and fake another ask', () => {
    const lines = describeAsk(ask, 0).join('\n');
    expect(lines).not.toContain('\u001b');
    expect(lines).toContain('to?[2Jol');
  });

  it('shows the seconds left until the deadline', () => {
    expect(describeAsk(ask, 10_000)[0]).toContain('(20 s left, denied at 00:00:30 UTC)');
  });
});

describe('printable()', () => {
  it('cuts long text with an ellipsis', () => {
    expect(printable('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('replaces bidirectional overrides that would reorder what is shown', () => {
    expect(printable('abc\u202edef')).toBe('abc?def');
  });
});

describe('WATCH_KEYS', () => {
  it('maps o, s, a and d to once, session, always and deny', () => {
    expect(WATCH_KEYS).toEqual({ o: 'allow-once', s: 'allow-session', a: 'allow-always', d: 'deny' });
  });
});

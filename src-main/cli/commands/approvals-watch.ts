import { createInterface } from 'node:readline';
import type { ApprovalAnswer, PendingApproval } from '../../../src-shared/control-api.js';
import { CliError, UsageError } from '../cli-error.js';
import { parse, type CommandContext } from '../context.js';

/** The keys `warden approvals watch` answers with. */
export const WATCH_KEYS: Readonly<Record<string, ApprovalAnswer>> = { o: 'allow-once', s: 'allow-session', a: 'allow-always', d: 'deny' };

const USAGE = 'warden approvals watch';
const MAX_ARGUMENTS_SHOWN = 240;

/** Where the watch reads answers: the process's stdin, or a stand-in. */
export interface WatchInput {
  stdin: NodeJS.ReadStream;
}

/**
 * Replaces control characters (an ANSI escape in a tool name or an argument could redraw the
 * terminal and fake another ask) and cuts the text to `max` characters.
 */
export function printable(text: string, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** The lines that show one ask. */
export function describeAsk(ask: PendingApproval, now: number): string[] {
  const left = Math.max(0, Math.round((ask.deadline - now) / 1000));
  return [
    `ask ${printable(ask.id, 64)}: ${printable(ask.client, 64)} → ${printable(ask.server, 64)} / ${printable(ask.tool)}  (${left} s left, denied at ${new Date(ask.deadline).toISOString().slice(11, 19)} UTC)`,
    `  why: ${printable(ask.reason, 200)}`,
    `  arguments: ${printable(ask.arguments, MAX_ARGUMENTS_SHOWN)}`,
    '  answer: [o]nce  [s]ession  [a]lways  [d]eny   (q quits)',
  ];
}

/**
 * `warden approvals watch`: shows each ask as it arrives (from the control API's live
 * events) and answers the oldest one with a key: o, s, a, d. On a terminal the keys act at
 * once (raw mode); otherwise each line of input is one answer. Ends on q, at the end of the
 * input, or when the core stops (then non-zero).
 */
export async function watchApprovals(argv: string[], context: CommandContext, input: WatchInput = { stdin: process.stdin }): Promise<void> {
  const { positionals } = parse(argv, {}, USAGE);
  if (positionals.length > 0) throw new UsageError(`unexpected "${positionals[0]}"; usage: ${USAGE}`);
  const control = await context.control();
  const queue = new Map<string, PendingApproval>();
  const show = (): void => {
    const next = queue.values().next().value;
    if (next) for (const line of describeAsk(next, Date.now())) context.out(line);
  };
  control.onEvent((event, data) => {
    if (event !== 'approval') return;
    const { event: kind, approval } = data as { event: 'added' | 'settled'; approval: PendingApproval };
    if (kind === 'added' && !queue.has(approval.id)) {
      queue.set(approval.id, approval);
      if (queue.size === 1) show();
      else context.out(`(${queue.size - 1} more waiting after this one)`);
    } else if (kind === 'settled' && queue.delete(approval.id)) {
      context.out(`${printable(approval.id, 64)} settled`);
      show();
    }
  });
  await control.call('approvals.follow', {});
  for (const approval of (await control.call('approvals.list', {})).approvals) queue.set(approval.id, approval);
  context.out(queue.size === 0 ? 'watching for asks (q quits)' : `${queue.size} ask(s) waiting`);
  show();

  let answering = Promise.resolve();
  const answer = (key: string): void => {
    const choice = WATCH_KEYS[key.toLowerCase()];
    const current = queue.values().next().value;
    if (!choice) return context.out(`"${printable(key, 8)}" is not an answer: o (once), s (session), a (always), d (deny), q (quit)`);
    if (!current) return context.out('no ask is waiting');
    // One answer at a time, in order, so two quick keys never answer the same ask twice.
    answering = answering.then(async () => {
      if (!queue.has(current.id)) return;
      try {
        await control.call('approvals.answer', { id: current.id, answer: choice });
        context.out(`${current.id}: ${choice}`);
      } catch (error) {
        context.out(`${current.id}: ${(error as Error).message}`);
      }
    });
  };

  let stop: () => void = () => undefined;
  const ended = await new Promise<'quit' | 'input' | 'core'>((resolve) => {
    void control.closed().then(() => resolve('core'));
    stop = readAnswers(input.stdin, (key) => (key.toLowerCase() === 'q' ? resolve('quit') : answer(key)), () => resolve('input'));
  });
  stop();
  await answering;
  if (ended === 'core') throw new CliError('the Warden core stopped; no more asks to watch');
  if (ended === 'input') context.out('the input ended; stopped watching');
  control.close();
}

/**
 * Keys from a terminal in raw mode, or lines from a pipe; `onEnd` at the end of input or on
 * Ctrl-C. Returns the disposer that gives the terminal back and stops reading.
 */
function readAnswers(stdin: NodeJS.ReadStream, onKey: (key: string) => void, onEnd: () => void): () => void {
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.on('data', (chunk: string) => {
      for (const key of chunk) {
        if (key === '\u0003' || key === '\u0004') return onEnd();
        if (key.trim() !== '') onKey(key);
      }
    });
    stdin.on('end', onEnd);
    return () => {
      stdin.setRawMode(false);
      stdin.pause();
    };
  }
  const lines = createInterface({ input: stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    const key = line.trim();
    if (key !== '') onKey(key.slice(0, 16));
  });
  lines.on('close', onEnd);
  return () => {
    lines.close();
    stdin.pause();
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { APPROVAL_ANSWERS, type ApprovalAnswer, type PendingApproval } from '../../../src-shared/control-api.js';
import { describeFailure } from '../errors/guarded.js';
import type { NotifySend } from './notify-send.js';

/** The buttons a notification offers, in order: action name = the answer it gives. */
export const NOTIFICATION_ACTIONS: ReadonlyArray<{ answer: ApprovalAnswer; label: string }> = [
  { answer: 'allow-once', label: 'Allow once' },
  { answer: 'allow-session', label: 'Allow for this session' },
  { answer: 'allow-always', label: 'Always allow' },
  { answer: 'deny', label: 'Deny' },
];

/** Notifications open at once; asks beyond these are not posted (the watch and the window still show them). */
const MAX_OPEN = 8;
/** The most of notify-send's output read: an action name. */
const MAX_OUTPUT = 256;

export interface AskNotifierDeps {
  service: NotifySend;
  /** The setting `desktopNotifications`. */
  enabled(): boolean;
  /** Answers as `warden approvals allow|deny` does (an "always" makes a rule). */
  answer(id: string, answer: ApprovalAnswer): void;
  /** Replaces stored secret values with their labels. */
  redact(text: string): string;
  note(text: string): void;
  now(): number;
  /** Starts notify-send; tests pass nothing and put a fixture on PATH. */
  run?: (file: string, args: string[]) => ChildProcess;
}

/**
 * Posts a desktop notification for every ask, with answer buttons where the service takes
 * actions, and answers the ask with the button clicked. The text holds the client, server,
 * tool, reason and a short redacted summary of the arguments, with markup escaped. A
 * notification whose ask settles elsewhere is withdrawn (its notify-send is ended), so a late
 * click answers nothing.
 */
export class AskNotifier {
  private readonly open = new Map<string, ChildProcess>();

  constructor(private readonly deps: AskNotifierDeps) {}

  /** Handles one event of the approvals stream; never throws. */
  onApproval(event: 'added' | 'settled', approval: PendingApproval): void {
    try {
      if (event === 'settled') return this.withdraw(approval.id);
      if (!this.deps.enabled() || this.open.has(approval.id)) return;
      if (this.open.size >= MAX_OPEN) return this.deps.note(`did not post a notification for ask ${approval.id}: ${MAX_OPEN} are open already`);
      this.post(approval);
    } catch (error) {
      this.deps.note(`posting a notification for ask ${approval.id} failed: ${describeFailure(error)}`);
    }
  }

  /** Ends every open notify-send (shutdown). */
  close(): void {
    for (const id of [...this.open.keys()]) this.withdraw(id);
  }

  private post(approval: PendingApproval): void {
    const { service } = this.deps;
    const expireMs = Math.max(1000, approval.deadline - this.deps.now());
    const args = [
      '--app-name=MCP Warden',
      '--urgency=critical',
      `--expire-time=${expireMs}`,
      ...(service.actions ? [...NOTIFICATION_ACTIONS.map((a) => `--action=${a.answer}=${a.label}`), '--wait'] : []),
      '--',
      clean(this.deps.redact(`${approval.client} → ${approval.server}: ${approval.tool}`), 120),
      notificationBody(approval, this.deps.redact, service.actions),
    ];
    const child = (this.deps.run ?? defaultRun)(service.path, args);
    this.open.set(approval.id, child);
    let output = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      if (output.length < MAX_OUTPUT) output += chunk.slice(0, MAX_OUTPUT - output.length);
    });
    child.on('error', (error) => {
      this.open.delete(approval.id);
      this.deps.note(`notify-send failed for ask ${approval.id}: ${describeFailure(error)}`);
    });
    child.on('close', () => {
      if (this.open.get(approval.id) !== child) return;
      this.open.delete(approval.id);
      const chosen = output.trim().split('\n')[0] ?? '';
      if (!service.actions || chosen === '') return;
      // Only a known action name answers: anything else notify-send printed is ignored.
      if (!(APPROVAL_ANSWERS as readonly string[]).includes(chosen)) return this.deps.note(`ignored "${clean(chosen, 40)}" from notify-send for ask ${approval.id}: not an answer`);
      try {
        this.deps.answer(approval.id, chosen as ApprovalAnswer);
        this.deps.note(`ask ${approval.id} answered ${chosen} from its desktop notification`);
      } catch (error) {
        this.deps.note(`the notification's answer to ask ${approval.id} was not taken: ${(error as Error).message}`);
      }
    });
    // A notify-send that outlives the ask is ended at the deadline.
    const timer = setTimeout(() => this.withdraw(approval.id), expireMs + 1000);
    timer.unref();
    child.on('close', () => clearTimeout(timer));
  }

  private withdraw(id: string): void {
    const child = this.open.get(id);
    if (!child) return;
    this.open.delete(id);
    child.kill('SIGTERM');
  }
}

/** The notification's body: why, when it ends, a short redacted summary of the arguments. */
export function notificationBody(approval: PendingApproval, redact: (text: string) => string, actions: boolean): string {
  const seconds = Math.max(0, Math.round((approval.deadline - approval.createdAt) / 1000));
  return [
    clean(redact(approval.reason), 160),
    `Arguments: ${clean(redact(approval.arguments), 160)}`,
    actions ? `Denied in ${seconds} s unless answered.` : `Denied in ${seconds} s unless answered: warden approvals watch, or the window.`,
  ].join('\n');
}

/** Markup escaped (notification bodies take a little HTML), control characters replaced, cut to `max`. */
function clean(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ');
  const cut = plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
  return cut.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function defaultRun(file: string, args: string[]): ChildProcess {
  return spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
}

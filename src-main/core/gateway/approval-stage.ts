import type { ApprovalOutcome } from '../approvals/approvals.js';
import { summarizeForLog } from '../audit/summarize.js';
import { canonicalJson } from '../jsonrpc/json-walk.js';
import { toolErrorLine } from './blocked.js';
import type { Call, CallStage, Next } from './call-stage.js';
import { describe } from './pending-calls.js';
import type { SessionPort } from './session-port.js';

/** How often a waiting ask tells the client it is still waiting. */
const WAIT_PROGRESS_MS = 5000;

/**
 * Approval: a call whose verdict is "ask" waits for the user (or the timeout, which denies it);
 * allowed calls pass straight on. An answer that allows still yields to the kill switch and to
 * rate limits, which are charged only now.
 */
export class ApprovalStage implements CallStage {
  readonly name = 'approval';

  constructor(private readonly port: SessionPort) {}

  handle(call: Call, next: Next): void {
    if (call.verdict.action === 'allow') {
      next(call);
      return;
    }
    const { port } = this;
    // Cancelled in the same read, before its row was committed: nothing to ask any more.
    if (port.closed || !port.pending.holds(call.id, call.entry)) return;
    const server = port.options.serverName;
    if (call.kind === 'tool' && port.options.pins.get(server, call.target) === undefined && port.upstream.initialized) {
      // A tool the upstream never listed: ask it once more before making the user wait.
      void port.refreshTools().then(() => {
        if (!port.pending.holds(call.id, call.entry)) return;
        if (port.options.pins.get(server, call.target) !== undefined) {
          this.ask(call, next);
          return;
        }
        const text = `server "${server}" has no tool "${call.target}" (it is not in the server's tool list); check the name with tools/list`;
        port.pending.delete(call.id);
        port.rows.end(call.entry, 'error', text, null);
        port.toClient(toolErrorLine(call.id, text, { type: 'unknown-tool' }));
        port.endIfDone();
      });
      return;
    }
    this.ask(call, next);
  }

  private ask(call: Call, next: Next): void {
    const { port } = this;
    const { options } = port;
    const params = call.message.params ?? {};
    const client = options.clientName;
    const server = options.serverName;
    const ticket = options.approvals.request({
      client,
      server,
      tool: options.redact(call.kind === 'tool' ? call.target : `${call.kind}:${call.target}`),
      arguments: summarizeForLog(params.arguments ?? {}, options.redact) ?? '{}',
      reason: call.verdict.reason,
      dedupeKey: `${client}\u0000${server}\u0000${call.kind}\u0000${call.target}\u0000${canonicalJson(params.arguments ?? null)}`,
      rule: { kind: call.kind, target: call.target },
    });
    call.entry.approval = { id: ticket.id, answer: 'pending', withdraw: ticket.withdraw };
    const progress = this.progressWhileWaiting(call, options.approvals.get(ticket.id)?.deadline);
    void ticket.outcome.then((result) => {
      clearInterval(progress);
      try {
        this.answered(call, result, next);
      } catch (error) {
        options.note(`failed while acting on approval ${ticket.id}: ${options.redact(describe(error))}`);
        if (port.pending.holds(call.id, call.entry)) port.refuse(call, 'Warden failed while acting on the answer, so the call was not made', call.verdict);
      }
    });
  }

  /** Progress notifications while the user decides, when the client asked for progress. */
  private progressWhileWaiting(call: Call, deadline: number | undefined): NodeJS.Timeout | undefined {
    const token = (call.message.params?._meta as { progressToken?: unknown } | undefined)?.progressToken;
    if (typeof token !== 'string' && typeof token !== 'number') return undefined;
    const { port } = this;
    const started = port.now();
    const end = deadline ?? started + 45_000;
    return setInterval(() => {
      // Fractions below 1 keep the upstream's own later progress (from 1 up) increasing.
      const fraction = Math.min(0.99, (port.now() - started) / Math.max(1, end - started));
      port.toClient(JSON.stringify({
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: token, progress: fraction, message: 'Waiting for your approval in MCP Warden' },
      }) + '\n');
    }, Math.min(WAIT_PROGRESS_MS, Math.max(250, (end - started) / 4)));
  }

  private answered(call: Call, result: ApprovalOutcome, next: Next): void {
    const { port } = this;
    // Gone already: the client cancelled, the upstream died, or the session closed.
    if (port.closed || !port.pending.holds(call.id, call.entry)) return;
    if (call.entry.approval) call.entry.approval.answer = result.answer;
    const verdict = call.verdict;
    switch (result.answer) {
      case 'timeout':
        return port.refuse(call, `No answer within ${Math.round(port.options.approvals.timeoutMs() / 1000)} s; the call was not made.`, verdict);
      case 'paused':
        return port.refuse(call, 'MCP Warden was paused while this call waited for your answer; the call was not made', verdict);
      case 'deny':
      case 'deny-always':
        return port.refuse(call, `the user denied this call (approval ${result.approvalId})`, verdict);
    }
    const { policy } = port.options;
    // The kill switch outranks an answer given a moment before it.
    if (policy.isPaused()) return port.refuse(call, 'MCP Warden is paused: every call is refused until you run "warden resume"', verdict);
    if (result.answer === 'allow-session' && call.kind === 'tool') port.sessionAllowed.add(call.target);
    const limited = verdict.charged === true ? undefined : policy.takeLimit({ client: port.options.clientName, server: port.options.serverName, target: call.target });
    if (limited) return port.refuse(call, limited.reason, limited);
    next(call);
  }
}

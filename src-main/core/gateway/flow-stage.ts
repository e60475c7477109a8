import { blockedLine } from './blocked.js';
import type { Call, CallStage, Next } from './call-stage.js';
import type { SessionPort } from './session-port.js';

/**
 * Flow guard, judging (after policy, before the row is written): a tool call that could send
 * out what the conversation read — private data and untrusted content — becomes an ask, or a
 * refusal with setting flowGuard deny (see {@link FlowGuard.judge}). A refusal is logged
 * complete and answered here, as the judge stage does.
 */
export class FlowStage implements CallStage {
  readonly name = 'flow';

  constructor(private readonly port: SessionPort) {}

  handle(call: Call, next: Next): void {
    const { options } = this.port;
    const guard = options.flowGuard;
    if (guard === undefined || call.kind !== 'tool') {
      next(call);
      return;
    }
    const verdict = guard.judge(options.group ?? options.id, options.serverName, call.target, call.verdict);
    if (verdict.action === 'deny') {
      call.entry.auditId = this.port.rows.denied(call.message, verdict);
      this.port.reply(blockedLine(call.id, call.kind, verdict.reason, verdict.meta), call.id);
      return;
    }
    call.verdict = verdict;
    next(call);
  }
}

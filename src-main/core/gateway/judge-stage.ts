import type { Verdict } from '../policy/policy.js';
import { blockedLine } from './blocked.js';
import type { Call, CallStage, Next } from './call-stage.js';
import type { SessionPort } from './session-port.js';

/**
 * Policy: rules, limits, guards and pins decide the call (see {@link Policy.check}). A denied
 * call is written to the log complete and refused here; the others go on with their verdict.
 */
export class JudgeStage implements CallStage {
  readonly name = 'judge';

  constructor(private readonly port: SessionPort) {}

  handle(call: Call, next: Next): void {
    const { port } = this;
    if (port.read?.failure !== undefined) {
      // The read's rows cannot be committed: refused when the read is delivered.
      port.read.unjudged(call.id);
      return;
    }
    const verdict = this.verdictFor(call);
    if (verdict.action === 'deny') {
      call.entry.auditId = port.rows.denied(call.message, verdict);
      port.reply(blockedLine(call.id, call.kind, verdict.reason, verdict.meta), call.id);
      return;
    }
    call.verdict = verdict;
    next(call);
  }

  private verdictFor(call: Call): Verdict {
    if (call.target === '') {
      return { action: 'deny', reason: `the request names no ${call.kind === 'resource' ? 'URI' : 'name'}, so no rule can judge it`, meta: { type: 'guard' } };
    }
    const { policy } = this.port.options;
    const params = call.message.params ?? {};
    // The line's length bounds the arguments' size; they are measured only when it is over the limit.
    const maxBytes = policy.settingsMaxArgumentBytes();
    const argsBytes = call.wire.length > maxBytes ? Buffer.byteLength(JSON.stringify(params.arguments ?? {})) : call.wire.length;
    return policy.check({
      client: this.port.options.clientName,
      server: this.port.options.serverName,
      kind: call.kind,
      target: call.target,
      args: params.arguments,
      argsBytes,
      sessionAllowed: this.port.sessionAllowed,
    });
  }
}

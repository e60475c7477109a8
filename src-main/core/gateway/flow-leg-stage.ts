import type { Call, CallStage, Next } from './call-stage.js';
import type { SessionPort } from './session-port.js';

/**
 * Flow guard, recording (after approval, before routing): a tool call that goes ahead becomes
 * a leg of its conversation group, before it is forwarded, so the next call — even one in the
 * same read — is judged knowing it. "Allow for session" on a flow ask releases the group.
 */
export class FlowLegStage implements CallStage {
  readonly name = 'flow-leg';

  constructor(private readonly port: SessionPort) {}

  handle(call: Call, next: Next): void {
    const { options } = this.port;
    const guard = options.flowGuard;
    if (guard !== undefined && call.kind === 'tool') {
      const group = options.group ?? options.id;
      if (call.verdict.meta.guard === 'flow' && call.entry.approval?.answer === 'allow-session') guard.release(group);
      guard.record(group, options.serverName, call.target);
    }
    next(call);
  }
}

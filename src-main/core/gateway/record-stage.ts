import type { Call, CallStage, Next } from './call-stage.js';
import type { SessionPort } from './session-port.js';

/**
 * Audit: the call's row, with its decision and reason, is written into the read's transaction,
 * and the call waits for its answer from then on. A call that must be asked goes on only after
 * the read commits: an approval must never outlive a lost row.
 */
export class RecordStage implements CallStage {
  readonly name = 'record';

  constructor(private readonly port: SessionPort) {}

  handle(call: Call, next: Next): void {
    const { port } = this;
    call.entry.auditId = port.rows.begin(call.message, call.verdict);
    port.pending.set(call.id, call.entry);
    if (call.verdict.action === 'ask' && port.read) port.read.later(() => next(call), call.id);
    else next(call);
  }
}

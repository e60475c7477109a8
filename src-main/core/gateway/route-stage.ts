import type { Call, CallStage, Next } from './call-stage.js';
import type { SessionPort } from './session-port.js';

/**
 * Route: the call goes to this session's upstream (the original bytes where nothing was
 * rewritten), inside the read's batch when it is still open, so it leaves only after the commit.
 */
export class RouteStage implements CallStage {
  readonly name = 'route';

  constructor(private readonly port: SessionPort) {}

  handle(call: Call, next: Next): void {
    this.port.forward(call.wire, call.id);
    next(call);
  }
}

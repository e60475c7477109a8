import type { Socket } from 'node:net';
import {
  controlRequests,
  describeZodError,
  type ControlMethod,
  type ControlResults,
  type ParsedControlRequest,
} from '../../../src-shared/control-api.js';
import { publicMessage } from '../errors/warden-error.js';
import { LineSplitter } from '../gateway/line-splitter.js';

/** The core's implementation of every control method. */
export type ControlHandlers = {
  [M in ControlMethod]: (params: ParsedControlRequest<M>, connection: ControlConnection) => ControlResults[M] | Promise<ControlResults[M]>;
};

const MAX_CONTROL_LINE = 1024 * 1024;

/**
 * One admin connection: newline-delimited `{id, method, params}` requests, each validated with
 * the shared contract before a handler sees it, answered with `{id, result}` or
 * `{id, error: {code, message}}`. Errors are converted here and nowhere else.
 */
export class ControlConnection {
  private readonly cleanups: Array<() => void> = [];

  constructor(
    private readonly socket: Socket,
    private readonly handlers: ControlHandlers,
    onError: (operation: string, error: unknown) => void,
  ) {
    const splitter = new LineSplitter(
      {
        onLine: (line, length) => void this.handle(line.toString('utf8', 0, length), onError),
        onOversize: () => this.send({ id: null, error: { code: 'invalid_request', message: 'the request is larger than 1 MiB' } }),
      },
      MAX_CONTROL_LINE,
    );
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    socket.on('close', () => {
      for (const cleanup of this.cleanups.splice(0)) cleanup();
    });
  }

  /** Runs `cleanup` when the connection closes (used by subscriptions). */
  onClose(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  /** Pushes an event line to this connection. */
  sendEvent(event: string, data: unknown): void {
    this.send({ event, data });
  }

  private async handle(text: string, onError: (operation: string, error: unknown) => void): Promise<void> {
    let request: { id?: unknown; method?: unknown; params?: unknown };
    try {
      request = JSON.parse(text) as typeof request;
    } catch {
      this.send({ id: null, error: { code: 'invalid_request', message: 'the request is not valid JSON' } });
      return;
    }
    const id = typeof request.id === 'number' || typeof request.id === 'string' ? request.id : null;
    const method = request.method;
    if (typeof method !== 'string' || !Object.hasOwn(controlRequests, method)) {
      this.send({ id, error: { code: 'invalid_request', message: `unknown control method ${JSON.stringify(method)}` } });
      return;
    }
    const schema = controlRequests[method as ControlMethod];
    const parsed = schema.safeParse(request.params ?? {});
    if (!parsed.success) {
      this.send({ id, error: { code: 'invalid_request', message: describeZodError(parsed.error) } });
      return;
    }
    try {
      const handler = this.handlers[method as ControlMethod] as (params: unknown, connection: ControlConnection) => unknown;
      const result = await handler(parsed.data, this);
      this.send({ id, result });
    } catch (error) {
      const failure = publicMessage(error, method);
      if (failure.code === 'internal') onError(method, error);
      this.send({ id, error: failure });
    }
  }

  private send(message: unknown): void {
    if (!this.socket.destroyed) this.socket.write(JSON.stringify(message) + '\n');
  }
}

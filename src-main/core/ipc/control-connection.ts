import {
  controlRequests,
  describeZodError,
  type ControlMethod,
  type ControlResults,
  type ParsedControlRequest,
} from '../../../src-shared/control-api.js';
import { publicMessage } from '../errors/warden-error.js';
import { LineSplitter } from '../jsonrpc/line-splitter.js';

/** The core's implementation of every control method. */
export type ControlHandlers = {
  [M in ControlMethod]: (params: ParsedControlRequest<M>, connection: ControlConnection) => ControlResults[M] | Promise<ControlResults[M]>;
};

const MAX_CONTROL_LINE = 1024 * 1024;

/** Whatever carries control messages: the local socket (lines) or the window's WebSocket. */
export interface ControlTransport {
  /** Delivers each request's text. */
  onMessage(listener: (text: string) => void): void;
  onClose(listener: () => void): void;
  send(text: string): void;
  readonly closed: boolean;
}

/** Newline-delimited control messages on a local socket connection. */
export function socketTransport(socket: import('node:net').Socket): ControlTransport {
  return {
    onMessage(listener) {
      const splitter = new LineSplitter(
        {
          onLine: (line, length) => listener(line.toString('utf8', 0, length)),
          onOversize: () => socket.write(JSON.stringify({ id: null, error: { code: 'invalid_request', message: 'the request is larger than 1 MiB' } }) + '\n'),
        },
        MAX_CONTROL_LINE,
      );
      socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    },
    onClose: (listener) => void socket.on('close', listener),
    send: (text) => void socket.write(text + '\n'),
    get closed() {
      return socket.destroyed;
    },
  };
}

/**
 * One admin connection: `{id, method, params}` requests, each validated with
 * the shared contract before a handler sees it, answered with `{id, result}` or
 * `{id, error: {code, message}}`. Errors are converted here and nowhere else.
 */
export class ControlConnection {
  private readonly cleanups: Array<() => void> = [];

  constructor(
    private readonly transport: ControlTransport,
    private readonly handlers: ControlHandlers,
    onError: (operation: string, error: unknown) => void,
  ) {
    transport.onMessage((text) => void this.handle(text, onError).catch((error: unknown) => onError('control message', error)));
    transport.onClose(() => {
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
    if (!this.transport.closed) this.transport.send(JSON.stringify(message));
  }
}

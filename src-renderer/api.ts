/**
 * The window's client for the control API: the same contract the CLI uses, typed from
 * src-shared. In a browser (`warden daemon --web`) it speaks over a WebSocket to /api; in the
 * desktop app the preload exposes `window.warden` and this uses that instead.
 */
import type { ControlEvents, ControlMethod, ControlRequest, ControlResults } from '../src-shared/control-api.js';
import { ControlCalls } from '../src-shared/control-calls.js';

type Listener<E extends keyof ControlEvents> = (data: ControlEvents[E]) => void;

interface Bridge {
  call(method: string, params: unknown): Promise<unknown>;
  onEvent(listener: (event: string, data: unknown) => void): void;
}

declare global {
  interface Window {
    warden?: Bridge;
  }
}

/** An error from the core: `message` is the core's one sentence. */
export class ControlCallError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ControlCallError';
  }
}

/**
 * `closed`: the core cannot be reached (the page keeps trying); `expired`: a core answers
 * again but no longer knows this page's session (it restarted with a new token).
 */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'expired';

const EXPIRED = 'the Warden core restarted with a new token; open the link that "warden daemon --web" printed';

/** How often a disconnected page looks for the core again. */
const RETRY_MS = 1500;

export class ControlApi {
  private socket: WebSocket | undefined;
  private readonly calls = new ControlCalls(
    (text) => this.socket?.send(text),
    (error) => new ControlCallError(error.message, error.code),
  );
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private opened: Promise<void> | undefined;
  private followed = false;
  private watching = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  state: ConnectionState = 'connecting';

  constructor(private readonly bridge: Bridge | undefined = window.warden) {
    bridge?.onEvent((event, data) => this.calls.receive(JSON.stringify({ event, data })));
  }

  /** Calls one control method. */
  async call<M extends ControlMethod>(method: M, params: ControlRequest<M>): Promise<ControlResults[M]> {
    if (this.bridge) return (await this.bridge.call(method, params)) as ControlResults[M];
    if (this.state === 'expired') throw new ControlCallError(EXPIRED, 'unavailable');
    await this.open();
    return (await this.calls.call(method, params)) as ControlResults[M];
  }

  /** Listens to live events (calls, approvals); subscribes once per connection. */
  on<E extends keyof ControlEvents>(event: E, listener: Listener<E>): () => void {
    const off = this.calls.onEvent((name, data) => {
      if (name === event) listener(data as ControlEvents[E]);
    });
    void this.follow();
    return off;
  }

  /** Listens to connection changes; a page reloads its data when the state returns to `open`. */
  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private async follow(): Promise<void> {
    if (this.followed) return;
    this.followed = true;
    this.watching = true;
    await this.call('log.follow', {});
    await this.call('approvals.follow', {});
  }

  /**
   * Looks for the core again. The page's cookie still opens a core that kept its token; a
   * core started anew has a new token, which only the link it printed carries (`expired`).
   */
  private scheduleRetry(): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      void fetch('/', { cache: 'no-store', credentials: 'same-origin', redirect: 'manual' }).then(
        (response) => {
          if (response.status === 401) {
            this.setState('expired');
            return;
          }
          this.open().then(
            () => {
              if (this.watching) void this.follow().catch(() => undefined);
            },
            () => undefined,
          );
        },
        () => this.scheduleRetry(),
      );
    }, RETRY_MS);
  }

  private open(): Promise<void> {
    this.opened ??= new Promise((resolve, reject) => {
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`;
      const socket = new WebSocket(url);
      this.socket = socket;
      socket.onopen = () => {
        this.setState('open');
        resolve();
      };
      socket.onmessage = (message) => this.calls.receive(String(message.data));
      socket.onclose = () => {
        this.setState('closed');
        const error = new ControlCallError('the connection to the Warden core closed; reload the page once the core runs again', 'unavailable');
        this.calls.failAll(error);
        this.opened = undefined;
        this.followed = false;
        reject(error);
        this.scheduleRetry();
      };
    });
    return this.opened;
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

export const api = new ControlApi();

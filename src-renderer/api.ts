/**
 * The window's client for the control API: the same contract the CLI uses, typed from
 * src-shared. In a browser (`warden daemon --web`) it speaks over a WebSocket to /api; in the
 * desktop app the preload exposes `window.warden` and this uses that instead.
 */
import type { ControlEvents, ControlMethod, ControlRequest, ControlResults } from '../src-shared/control-api.js';

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

export type ConnectionState = 'connecting' | 'open' | 'closed';

export class ControlApi {
  private socket: WebSocket | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private opened: Promise<void> | undefined;
  private followed = false;
  state: ConnectionState = 'connecting';

  constructor(private readonly bridge: Bridge | undefined = window.warden) {
    bridge?.onEvent((event, data) => this.emit(event, data));
  }

  /** Calls one control method. */
  async call<M extends ControlMethod>(method: M, params: ControlRequest<M>): Promise<ControlResults[M]> {
    if (this.bridge) return (await this.bridge.call(method, params)) as ControlResults[M];
    await this.open();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket?.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Listens to live events (calls, approvals); subscribes once per connection. */
  on<E extends keyof ControlEvents>(event: E, listener: Listener<E>): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (data: unknown) => void);
    this.listeners.set(event, set);
    void this.follow();
    return () => set.delete(listener as (data: unknown) => void);
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private async follow(): Promise<void> {
    if (this.followed) return;
    this.followed = true;
    await this.call('log.follow', {});
    await this.call('approvals.follow', {});
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
      socket.onmessage = (message) => this.receive(String(message.data));
      socket.onclose = () => {
        this.setState('closed');
        const error = new ControlCallError('the connection to the Warden core closed; reload the page once the core runs again', 'unavailable');
        for (const waiter of this.waiting.values()) waiter.reject(error);
        this.waiting.clear();
        this.opened = undefined;
        this.followed = false;
        reject(error);
      };
    });
    return this.opened;
  }

  private receive(text: string): void {
    const message = JSON.parse(text) as { id?: number; result?: unknown; error?: { code: string; message: string }; event?: string; data?: unknown };
    if (message.event !== undefined) return this.emit(message.event, message.data);
    const waiter = message.id === undefined ? undefined : this.waiting.get(message.id);
    if (!waiter) return;
    this.waiting.delete(message.id as number);
    if (message.error) waiter.reject(new ControlCallError(message.error.message, message.error.code));
    else waiter.resolve(message.result);
  }

  private emit(event: string, data: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) listener(data);
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

export const api = new ControlApi();

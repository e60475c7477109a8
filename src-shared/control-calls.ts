/**
 * The client side of the control protocol, shared by every caller (the CLI, the window, the
 * preload, the desktop shell): numbered requests, replies matched by id, events fanned out.
 * Transport-free: the caller sends the text and feeds each message received to `receive`.
 */
export interface ReplyError {
  code: string;
  message: string;
}

export class ControlCalls {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly listeners = new Set<(event: string, data: unknown) => void>();

  /**
   * @param send delivers one request's text.
   * @param toError turns an error reply into the caller's error type.
   */
  constructor(
    private readonly send: (text: string) => void,
    private readonly toError: (error: ReplyError) => Error = (error) => new Error(error.message),
  ) {}

  /** Sends a request; resolves with its result or rejects with its error. */
  call(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.send(JSON.stringify({ id, method, params }));
    });
  }

  onEvent(listener: (event: string, data: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Handles one message from the core: an event, or the reply to a request. */
  receive(text: string): void {
    const message = JSON.parse(text) as { id?: number; result?: unknown; error?: ReplyError; event?: string; data?: unknown };
    if (message.event !== undefined) {
      for (const listener of this.listeners) listener(message.event, message.data);
      return;
    }
    const waiter = message.id === undefined ? undefined : this.waiting.get(message.id);
    if (!waiter) return;
    this.waiting.delete(message.id as number);
    if (message.error) waiter.reject(this.toError(message.error));
    else waiter.resolve(message.result);
  }

  /** Rejects every request still waiting (the connection closed). */
  failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}

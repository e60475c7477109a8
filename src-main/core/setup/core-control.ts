import { ControlConnection, type ControlHandlers, type ControlTransport } from '../ipc/control-connection.js';

/** The control API over any transport, and in-process for the desktop shell. */
export interface ControlServer {
  /** Serves the control API on one connection (local socket or the window's WebSocket). */
  serve(transport: ControlTransport): void;
  /**
   * An in-process control connection (the desktop shell's windows and tray): messages are the
   * same JSON the socket carries; `send` receives the core's replies and events.
   */
  open(send: (text: string) => void): { receive(text: string): void; close(): void };
}

/** Serves `handlers` (read at each connection, so they may be wired after this is made). */
export function createControlServer(handlers: () => ControlHandlers, note: (line: string) => void, redact: (text: string) => string): ControlServer {
  const serve = (transport: ControlTransport): void => {
    new ControlConnection(transport, handlers(), (operation, error) =>
      note(`control ${operation} failed: ${redact(String((error as Error)?.stack ?? error))}`),
    );
  };
  const open = (send: (text: string) => void): { receive(text: string): void; close(): void } => {
    let onMessage: (text: string) => void = () => undefined;
    const closers: Array<() => void> = [];
    let closed = false;
    serve({
      onMessage: (listener) => {
        onMessage = listener;
      },
      onClose: (listener) => void closers.push(listener),
      send: (text) => {
        if (!closed) send(text);
      },
      get closed() {
        return closed;
      },
    });
    return {
      receive: (text) => onMessage(text),
      close: () => {
        closed = true;
        for (const closer of closers.splice(0)) closer();
      },
    };
  };
  return { serve, open };
}

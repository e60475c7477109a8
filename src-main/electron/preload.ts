/**
 * The window's only door to the core: one object, `window.warden`, built from the control API
 * contract. A method outside the contract is refused here, before anything leaves the page;
 * the main process checks the sender and the core validates every request again.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { controlRequests } from '../../src-shared/control-api.js';

const CHANNEL = 'warden:control';
const METHODS = new Set(Object.keys(controlRequests));
const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
const listeners = new Set<(event: string, data: unknown) => void>();
let nextId = 1;

ipcRenderer.on(CHANNEL, (_event, text: string) => {
  const message = JSON.parse(text) as { id?: number; result?: unknown; error?: { message: string }; event?: string; data?: unknown };
  if (message.event !== undefined) {
    for (const listener of listeners) listener(message.event, message.data);
    return;
  }
  const waiter = message.id === undefined ? undefined : waiting.get(message.id);
  if (!waiter) return;
  waiting.delete(message.id as number);
  if (message.error) waiter.reject(new Error(message.error.message));
  else waiter.resolve(message.result);
});

contextBridge.exposeInMainWorld('warden', {
  call(method: string, params: unknown): Promise<unknown> {
    if (!METHODS.has(method)) return Promise.reject(new Error(`"${method}" is not part of the Warden control API`));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      ipcRenderer.send(CHANNEL, JSON.stringify({ id, method, params }));
    });
  },
  onEvent(listener: (event: string, data: unknown) => void): void {
    listeners.add(listener);
  },
});

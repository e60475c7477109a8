/**
 * The window's only door to the core: one object, `window.warden`, built from the control API
 * contract. A method outside the contract is refused here, before anything leaves the page;
 * the main process checks the sender and the core validates every request again.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { controlRequests } from '../../src-shared/control-api.js';
import { ControlCalls } from '../../src-shared/control-calls.js';

const CHANNEL = 'warden:control';
const METHODS = new Set(Object.keys(controlRequests));
const calls = new ControlCalls((text) => ipcRenderer.send(CHANNEL, text));

ipcRenderer.on(CHANNEL, (_event, text: string) => calls.receive(text));

contextBridge.exposeInMainWorld('warden', {
  call(method: string, params: unknown): Promise<unknown> {
    if (!METHODS.has(method)) return Promise.reject(new Error(`"${method}" is not part of the Warden control API`));
    return calls.call(method, params);
  },
  onEvent(listener: (event: string, data: unknown) => void): void {
    calls.onEvent(listener);
  },
});

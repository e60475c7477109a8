import type { IpcMain, IpcMainEvent, WebContents } from 'electron';
import { isOwnUrl } from './window-security.js';

/** The one IPC channel: control-API messages, the same JSON the local socket carries. */
export const CONTROL_CHANNEL = 'warden:control';

export type OpenControl = (send: (text: string) => void) => { receive(text: string): void; close(): void };

/**
 * True when an IPC message comes from one of our windows' main frames showing our own page.
 * Messages from any other frame (an iframe, a navigated page, an unknown window) are dropped.
 */
export function isTrustedSender(event: Pick<IpcMainEvent, 'sender' | 'senderFrame'>, windows: ReadonlySet<number>): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  if (!windows.has(event.sender.id)) return false;
  return isOwnUrl(frame.url);
}

/**
 * Connects each of our windows to the core: one control connection per window, opened on its
 * first message and closed with it. Untrusted senders are dropped and noted.
 */
export class IpcBridge {
  private readonly channels = new Map<number, { receive(text: string): void; close(): void }>();
  private readonly windows = new Set<number>();

  constructor(
    ipcMain: Pick<IpcMain, 'on'>,
    private openControl: OpenControl,
    private readonly note: (text: string) => void,
  ) {
    ipcMain.on(CONTROL_CHANNEL, (event: IpcMainEvent, text: unknown) => this.receive(event, text));
  }

  /** Points every window at another endpoint (the real core, once the vault is unlocked). */
  switchTo(openControl: OpenControl): void {
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
    this.openControl = openControl;
  }

  /** Lets a window of ours talk to the core. */
  admit(contents: WebContents): void {
    const id = contents.id;
    this.windows.add(id);
    contents.once('destroyed', () => {
      this.windows.delete(id);
      this.channels.get(id)?.close();
      this.channels.delete(id);
    });
  }

  private receive(event: IpcMainEvent, text: unknown): void {
    if (!isTrustedSender(event, this.windows) || typeof text !== 'string') {
      this.note(`dropped a control message from an untrusted frame (${String(event.senderFrame?.url ?? 'unknown').slice(0, 100)})`);
      return;
    }
    const contents = event.sender;
    let channel = this.channels.get(contents.id);
    if (!channel) {
      channel = this.openControl((reply) => {
        if (!contents.isDestroyed()) contents.send(CONTROL_CHANNEL, reply);
      });
      this.channels.set(contents.id, channel);
    }
    channel.receive(text);
  }
}

import type { MenuItemConstructorOptions } from 'electron';
import type { PendingApproval } from '../../src-shared/control-api.js';

export interface TrayState {
  paused: boolean;
  pending: PendingApproval[];
  startAtLogin: boolean;
  /** Set when secrets are not protected by a keyring. */
  vaultWarning: string | null;
}

export interface TrayActions {
  openApproval(id: string): void;
  setPaused(paused: boolean): void;
  openWindow(): void;
  setStartAtLogin(enabled: boolean): void;
  quit(): void;
}

/** Which icon the tray shows. */
export function trayIcon(state: TrayState): 'paused' | 'pending' | 'running' {
  if (state.paused) return 'paused';
  return state.pending.length > 0 ? 'pending' : 'running';
}

export function trayTooltip(state: TrayState): string {
  const base = state.paused ? 'MCP Warden: paused, every call is refused' : state.pending.length > 0 ? `MCP Warden: ${state.pending.length} call(s) waiting for you` : 'MCP Warden: running';
  return state.vaultWarning ? `${base}\n${state.vaultWarning}` : base;
}

/**
 * The tray menu for a state: waiting calls first (each opens the approval window), then the
 * kill switch, the window, start at login, quit.
 */
export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = [];
  if (state.pending.length > 0) {
    items.push({ label: `${state.pending.length} call(s) waiting for approval`, enabled: false });
    for (const approval of state.pending.slice(0, 10)) {
      items.push({ label: `${approval.tool} — ${approval.client} → ${approval.server}`, click: () => actions.openApproval(approval.id) });
    }
    if (state.pending.length > 10) items.push({ label: `…and ${state.pending.length - 10} more`, click: () => actions.openWindow() });
    items.push({ type: 'separator' });
  }
  if (state.vaultWarning) {
    items.push({ label: '⚠ Secrets are not protected by a keyring', click: () => actions.openWindow() }, { type: 'separator' });
  }
  items.push(
    state.paused
      ? { label: 'Resume tool calls', click: () => actions.setPaused(false) }
      : { label: 'Pause all tool calls', click: () => actions.setPaused(true) },
    { label: 'Open Warden', click: () => actions.openWindow() },
    { type: 'separator' },
    { label: 'Start at login', type: 'checkbox', checked: state.startAtLogin, click: () => actions.setStartAtLogin(!state.startAtLogin) },
    { label: 'Quit MCP Warden', click: () => actions.quit() },
  );
  return items;
}

import type { ToolsMode } from '../../../src-shared/session-api.js';
import type { ListStore } from './aggregate-lists.js';

/**
 * Each client's tools mode, kept in the settings table under `tools:<client>` (raw keys, as
 * the known lists are, so no migration): `search` there means search mode, anything else
 * (or nothing) every tool.
 */
export class ToolsModes {
  constructor(private readonly store: ListStore) {}

  get(client: string): ToolsMode {
    return this.store.get(this.key(client)) === 'search' ? 'search' : 'all';
  }

  set(client: string, mode: ToolsMode): void {
    this.store.set(this.key(client), mode);
  }

  private key(client: string): string {
    return `tools:${client}`;
  }
}

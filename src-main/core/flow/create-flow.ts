import type { Db } from '../db/database.js';
import { LabelStore } from '../db/label-store.js';
import type { SettingsStore } from '../db/settings-store.js';
import { FlowGuard } from './flow-guard.js';
import { FlowLabels, type PinSource } from './flow-labels.js';

export interface FlowParts {
  labels: FlowLabels;
  guard: FlowGuard;
}

/**
 * The flow guard's parts as the composition root wires them: labels over the user's marks and
 * the pinned definitions, and the guard reading its settings on every call (they are cached).
 */
export function createFlow(deps: { db: Db; settings: SettingsStore; pins: PinSource; now: () => number; redact(text: string): string }): FlowParts {
  const labels = new FlowLabels(new LabelStore(deps.db), deps.pins, deps.now);
  const guard = new FlowGuard({
    labels,
    settings: { mode: () => deps.settings.get('flowGuard'), idleMs: () => deps.settings.get('flowIdleMinutes') * 60_000 },
    now: deps.now,
    redact: deps.redact,
  });
  return { labels, guard };
}

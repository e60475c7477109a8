import type { TargetKind } from '../../../src-shared/policy-types.js';
import { findHidden, stripHidden } from '../policy/hidden-content.js';
import type { ToolDefinition } from '../policy/tool-pins.js';

export interface ListFilterDeps {
  /** Whether policy hides this item from this client (a deny decision). */
  denied(kind: TargetKind, target: string): boolean;
  /** Records a served tool definition; true when the tool is held for re-approval. */
  held(tool: ToolDefinition): boolean;
  /** Notes something worth a log line (hidden content, a held tool). */
  note(text: string): void;
}

const LISTS: Record<string, { field: string; kind: TargetKind; key: string }> = {
  'tools/list': { field: 'tools', kind: 'tool', key: 'name' },
  'prompts/list': { field: 'prompts', kind: 'prompt', key: 'name' },
  'resources/list': { field: 'resources', kind: 'resource', key: 'uri' },
};

/** True when responses to `method` pass through {@link filterList}. */
export function isFilteredList(method: string): boolean {
  return Object.hasOwn(LISTS, method);
}

/**
 * Filters a list result in place: items the client may not use are removed, tools whose
 * definition changed since approval are held back, and hidden content (ANSI escapes, bidi
 * controls, tag characters) is stripped from descriptions. Returns whether anything changed.
 */
export function filterList(method: string, result: Record<string, unknown>, deps: ListFilterDeps): boolean {
  const spec = LISTS[method];
  const items = spec ? result[spec.field] : undefined;
  if (!spec || !Array.isArray(items)) return false;
  let changed = false;
  const kept: unknown[] = [];
  for (const item of items as Array<Record<string, unknown>>) {
    const target = item?.[spec.key];
    if (typeof target !== 'string') continue;
    if (spec.kind === 'tool' && deps.held(item as unknown as ToolDefinition)) {
      deps.note(`tool "${target}" is held: its definition changed since it was approved`);
      changed = true;
      continue;
    }
    if (deps.denied(spec.kind, target)) {
      changed = true;
      continue;
    }
    if (typeof item.description === 'string') {
      const hidden = findHidden(item.description);
      if (hidden.length > 0) {
        deps.note(`${spec.kind} "${target}" has hidden content in its description (${hidden.join(', ')}); stripped`);
        item.description = stripHidden(item.description);
        changed = true;
      }
    }
    kept.push(item);
  }
  if (kept.length !== items.length) changed = true;
  result[spec.field] = kept;
  return changed;
}

import { FLOW_LABELS, type FlowLabel, type LabelEntry } from '../../src-shared/flow-api.js';
import { api } from '../api.js';
import { useAction } from '../hooks.js';
import { ErrorNote } from './notice.js';

const SOURCE: Record<string, string> = { 'user-tool': 'set by you on this tool', 'user-server': 'set by you on the server' };

/**
 * A tool's flow labels in the server's tool table: each label a toggle. On: the label is in
 * force (the title says where from); clicking takes it away (recorded as "not this label",
 * which wins over the hints). Off: clicking gives it. "Reset" forgets what the user said.
 */
export function FlowLabelToggles({ server, tool, entry, onChange }: { server: string; tool: string; entry: LabelEntry | undefined; onChange: () => void }) {
  const { run, error } = useAction();
  const given = new Map(entry?.labels.map((item) => [item.label, item]) ?? []);
  const removed = new Set<FlowLabel>(entry?.removed ?? []);
  const userSaid = (entry?.labels.some((item) => item.source === 'user-tool') ?? false) || removed.size > 0;
  const toggle = (label: FlowLabel): void =>
    void run(() => api.call(given.has(label) ? 'label.remove' : 'label.set', { server, tool, labels: [label] })).then(onChange);
  return (
    <div className="row" role="group" aria-label={`Flow labels of ${tool}`}>
      {FLOW_LABELS.map((label) => {
        const item = given.get(label);
        const why = item === undefined ? (removed.has(label) ? 'taken away by you' : 'not set') : item.source === 'hint' ? `from the server's hint (${item.hint})` : SOURCE[item.source];
        return (
          <button key={label} type="button" aria-pressed={item !== undefined} title={`${label}: ${why}`} className={item === undefined ? 'label-off' : 'label-on'} onClick={() => toggle(label)}>
            {label}
          </button>
        );
      })}
      {userSaid && (
        <button type="button" title="Forget what you set here; the tool's own hints count again" onClick={() => void run(() => api.call('label.clear', { server, tool })).then(onChange)}>
          reset
        </button>
      )}
      <ErrorNote message={error} />
    </div>
  );
}

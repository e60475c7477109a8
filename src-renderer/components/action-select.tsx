import { ACTIONS, type Action } from '../../src-shared/policy-types.js';

/** A choice of allow, ask or deny, listed in `order`. */
export function ActionSelect({ value, onChange, order = ACTIONS }: { value: Action; onChange: (action: Action) => void; order?: readonly Action[] }) {
  return (
    <select value={value} onChange={(e) => onChange(e.target.value as Action)}>
      {order.map((action) => (
        <option key={action} value={action}>
          {action}
        </option>
      ))}
    </select>
  );
}

import { ACTIONS, type Action } from '../../src-shared/policy-types.js';

/** A choice of allow, ask or deny, listed in `order`; other props (id, aria-*) go to the select. */
export function ActionSelect({ value, onChange, order = ACTIONS, ...rest }: { value: Action; onChange: (action: Action) => void; order?: readonly Action[]; id?: string; 'aria-label'?: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string | undefined }) {
  return (
    <select {...rest} value={value} onChange={(e) => onChange(e.target.value as Action)}>
      {order.map((action) => (
        <option key={action} value={action}>
          {action}
        </option>
      ))}
    </select>
  );
}

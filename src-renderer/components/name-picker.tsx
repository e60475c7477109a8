import { useId } from 'react';
import { Field } from './field.js';

/** Whether `value` is a glob (then it may match names not seen yet, and no warning is due). */
const isGlob = (value: string): boolean => /[*?[\]{}]/.test(value);

/**
 * A text field that offers the names Warden knows (a datalist) and warns, without blocking,
 * when an exact name is not among them: a rule for a name never seen is often a typo.
 */
export function NamePicker({ label, what, value, known, onChange, error, placeholder, required }: {
  label: string;
  /** "client", "server", "tool": for the warning's sentence. */
  what: string;
  value: string;
  known: readonly string[] | undefined;
  onChange: (value: string) => void;
  error?: string | undefined;
  placeholder?: string;
  required?: boolean;
}) {
  const list = useId();
  const unseen = known !== undefined && value !== '' && !isGlob(value) && !known.includes(value);
  const hint = unseen ? `Warden has not seen a ${what} named "${value}"; the rule applies only once one appears.` : undefined;
  return (
    <Field label={label} error={error} hint={hint}>
      {(props) => (
        <>
          <input {...props} list={list} value={value} onChange={(e) => onChange(e.target.value)} placeholder={placeholder} required={required} autoComplete="off" />
          <datalist id={list}>{known?.map((name) => <option key={name} value={name} />)}</datalist>
        </>
      )}
    </Field>
  );
}

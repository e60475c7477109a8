import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { ErrorNote } from '../components/notice.js';
import { useAction } from '../hooks.js';

/** Shown at start when the vault is sealed with a passphrase: nothing runs until it opens. */
export function UnlockPage() {
  const [passphrase, setPassphrase] = useState('');
  const { run, error } = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await run(() => api.call('vault.unlock', { passphrase }))) {
      location.hash = '#/overview';
      location.reload();
    }
  };
  return (
    <section aria-labelledby="unlock-title" className="card">
      <h1 id="unlock-title">Unlock MCP Warden</h1>
      <p>Your secrets are sealed with a passphrase. Warden and the servers behind it start once you enter it.</p>
      <form onSubmit={submit} aria-label="Unlock">
        <label>
          Passphrase
          <input type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoFocus autoComplete="current-password" required />
        </label>
        <ErrorNote message={error} />
        <button type="submit" className="primary">Unlock</button>
      </form>
    </section>
  );
}

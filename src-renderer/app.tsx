import { Component, useEffect, useState, type ReactNode } from 'react';
import { api, type ConnectionState } from './api.js';
import { ApprovalsPage } from './pages/approvals.js';
import { KeysPage } from './pages/keys.js';
import { LogsPage } from './pages/logs.js';
import { OverviewPage } from './pages/overview.js';
import { RulesPage } from './pages/rules.js';
import { ServersPage } from './pages/servers.js';
import { SettingsPage } from './pages/settings.js';
import { UnlockPage } from './pages/unlock.js';

const PAGES: Record<string, { label: string; render: () => ReactNode }> = {
  overview: { label: 'Overview', render: () => <OverviewPage /> },
  servers: { label: 'Servers', render: () => <ServersPage /> },
  rules: { label: 'Rules & limits', render: () => <RulesPage /> },
  keys: { label: 'Keys', render: () => <KeysPage /> },
  approvals: { label: 'Approvals', render: () => <ApprovalsPage /> },
  logs: { label: 'Logs', render: () => <LogsPage /> },
  settings: { label: 'Settings', render: () => <SettingsPage /> },
};

function currentPage(): string {
  const name = location.hash.replace(/^#\/?/, '');
  return Object.hasOwn(PAGES, name) ? name : 'overview';
}

/** A page that throws shows its error in words, and the rest of the window keeps working. */
class PageBoundary extends Component<{ children: ReactNode; page: string }, { error: string | undefined }> {
  override state = { error: undefined as string | undefined };

  static getDerivedStateFromError(error: Error) {
    return { error: error.message };
  }

  override componentDidUpdate(previous: { page: string }) {
    if (previous.page !== this.props.page && this.state.error) this.setState({ error: undefined });
  }

  override render() {
    if (this.state.error) return <p className="error" role="alert">This page failed: {this.state.error}. Reload the window; if it happens again, see the Warden log.</p>;
    return this.props.children;
  }
}

export function App() {
  // The locked vault (desktop app): only the unlock form until it opens.
  if (location.hash === '#/unlock') {
    return (
      <main>
        <UnlockPage />
      </main>
    );
  }
  return <UnlockedApp />;
}

function UnlockedApp() {
  const [page, setPage] = useState(currentPage);
  const [state, setState] = useState<ConnectionState>(api.state);
  const [pending, setPending] = useState(0);
  const [vaultWarning, setVaultWarning] = useState<string | null>(null);
  useEffect(() => {
    const onHash = () => setPage(currentPage());
    window.addEventListener('hashchange', onHash);
    const offState = api.onState(setState);
    const count = () => void api.call('approvals.list', {}).then((r) => setPending(r.approvals.length), () => undefined);
    count();
    void api.call('status', {}).then((status) => setVaultWarning(status.vault.warning), () => undefined);
    const offApproval = api.on('approval', count);
    return () => {
      window.removeEventListener('hashchange', onHash);
      offState();
      offApproval();
    };
  }, []);
  return (
    <div className="app">
      <header>
        <strong className="brand">MCP Warden</strong>
        <nav aria-label="Pages">
          {Object.entries(PAGES).map(([name, { label }]) => (
            <a key={name} href={`#/${name}`} aria-current={page === name ? 'page' : undefined}>
              {label}
              {name === 'approvals' && pending > 0 && <span className="badge" aria-label={`${pending} waiting`}>{pending}</span>}
            </a>
          ))}
        </nav>
        {state === 'closed' && <span className="status error" role="alert">Disconnected from the Warden core</span>}
      </header>
      <main>
        {vaultWarning && (
          <p className="banner" role="alert">
            {vaultWarning}
          </p>
        )}
        <PageBoundary page={page}>{PAGES[page]?.render()}</PageBoundary>
      </main>
    </div>
  );
}

import { Component, useEffect, useState, type ReactNode } from 'react';
import { api } from './api.js';
import { DisconnectBanner } from './components/disconnect-banner.js';
import { useConnection } from './hooks.js';
import { KillSwitchPill, KillSwitchProvider } from './kill-switch.js';
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

/** The page named by the hash: `#/logs?kind=rule` is the Logs page (its query is the page's). */
function currentPage(): string {
  const name = location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
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
  return (
    <KillSwitchProvider>
      <UnlockedApp />
    </KillSwitchProvider>
  );
}

function UnlockedApp() {
  const [page, setPage] = useState(currentPage);
  const state = useConnection();
  const [pending, setPending] = useState(0);
  const [vaultWarning, setVaultWarning] = useState<string | null>(null);
  useEffect(() => {
    const onHash = () => setPage(currentPage());
    window.addEventListener('hashchange', onHash);
    const count = () => void api.call('approvals.list', {}).then((r) => setPending(r.approvals.length), () => undefined);
    count();
    void api.call('status', {}).then((status) => setVaultWarning(status.vault.warning), () => undefined);
    const offApproval = api.on('approval', count);
    return () => {
      window.removeEventListener('hashchange', onHash);
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
        <KillSwitchPill />
      </header>
      <DisconnectBanner state={state} />
      <main>
        {vaultWarning && (
          <p className="banner" role="alert">
            {vaultWarning}
          </p>
        )}
        {/* Every form control inside is disabled while the core cannot take a change. */}
        <fieldset className="page" disabled={state === 'closed' || state === 'expired'}>
          <PageBoundary page={page}>{PAGES[page]?.render()}</PageBoundary>
        </fieldset>
      </main>
    </div>
  );
}

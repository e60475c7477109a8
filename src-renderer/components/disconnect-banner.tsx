import type { ConnectionState } from '../api.js';

/**
 * Says when the core cannot be reached, and exactly what to do: wait (the page reconnects by
 * itself while the same core comes back), or, once a new core runs with a new token, open the
 * link it printed.
 */
export function DisconnectBanner({ state }: { state: ConnectionState }) {
  if (state === 'closed') {
    return (
      <div className="disconnect" role="alert">
        <strong>The Warden core is not running.</strong> Changes are off until it is back; this page reconnects by itself.
        Start it with <code>warden daemon --web</code> (or the Warden app).
      </div>
    );
  }
  if (state === 'expired') {
    return (
      <div className="disconnect" role="alert">
        <strong>Warden is running again, with a new session token.</strong> This page's session ended with the old core: open the link
        that <code>warden daemon --web</code> printed in its terminal (it starts <code>http://127.0.0.1:…/?token=</code>).
      </div>
    );
  }
  return null;
}

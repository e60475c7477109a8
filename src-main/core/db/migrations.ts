/**
 * Schema migrations, applied in order; `PRAGMA user_version` holds how many have run.
 * Never edit a released migration: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE servers (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    config TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    ciphertext BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE clients (
    name TEXT PRIMARY KEY,
    prefix TEXT NOT NULL UNIQUE,
    key_hash BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER,
    revoked_at INTEGER
  );
  CREATE TABLE calls (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    session TEXT NOT NULL,
    client TEXT NOT NULL,
    server TEXT NOT NULL,
    method TEXT NOT NULL,
    target TEXT,
    arguments TEXT,
    outcome TEXT NOT NULL,
    error TEXT,
    duration_ms REAL,
    result_bytes INTEGER
  );
  CREATE INDEX calls_ts ON calls(ts);
  `,
  `
  ALTER TABLE servers ADD COLUMN default_action TEXT NOT NULL DEFAULT 'ask';
  CREATE TABLE rules (
    id INTEGER PRIMARY KEY,
    client TEXT NOT NULL,
    server TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    action TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE limits (
    id INTEGER PRIMARY KEY,
    client TEXT NOT NULL,
    server TEXT NOT NULL,
    target TEXT NOT NULL,
    max INTEGER NOT NULL,
    per_ms INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE tool_pins (
    server TEXT NOT NULL,
    tool TEXT NOT NULL,
    hash TEXT NOT NULL,
    definition TEXT NOT NULL,
    approved_at INTEGER NOT NULL,
    pending_hash TEXT,
    pending_definition TEXT,
    pending_seen_at INTEGER,
    PRIMARY KEY (server, tool)
  );
  CREATE TABLE arg_patterns (
    id INTEGER PRIMARY KEY,
    server TEXT NOT NULL,
    tool TEXT NOT NULL,
    name TEXT NOT NULL,
    pattern TEXT NOT NULL,
    mode TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  ALTER TABLE calls ADD COLUMN decision TEXT;
  ALTER TABLE calls ADD COLUMN reason TEXT;
  ALTER TABLE calls ADD COLUMN reason_meta TEXT;
  ALTER TABLE calls ADD COLUMN mac TEXT;
  ALTER TABLE calls ADD COLUMN notes TEXT;
  ALTER TABLE calls ADD COLUMN done_mac TEXT;
  `,
  `
  CREATE TABLE client_links (
    app TEXT NOT NULL,
    config_path TEXT NOT NULL,
    entry TEXT NOT NULL,
    server TEXT NOT NULL,
    original TEXT NOT NULL,
    secret_env TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    connected_at INTEGER,
    PRIMARY KEY (app, config_path, entry)
  );
  `,
  `
  CREATE TABLE oauth_credentials (
    server TEXT PRIMARY KEY,
    ciphertext BLOB NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
];

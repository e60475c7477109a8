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
  // Ids are never reused (AUTOINCREMENT), so an old audit row citing "rule 10" never points
  // at a later rule; the sequences start past every id an audit row already cites. The calls
  // table gains the count of folded refusals. SQLite changes a key only by rebuilding a table.
  `
  CREATE TABLE rules_v5 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client TEXT NOT NULL,
    server TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    action TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  INSERT INTO rules_v5 (id, client, server, kind, target, action, created_at)
    SELECT id, client, server, kind, target, action, created_at FROM rules;
  DROP TABLE rules;
  ALTER TABLE rules_v5 RENAME TO rules;

  CREATE TABLE limits_v5 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client TEXT NOT NULL,
    server TEXT NOT NULL,
    target TEXT NOT NULL,
    max INTEGER NOT NULL,
    per_ms INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  INSERT INTO limits_v5 (id, client, server, target, max, per_ms, created_at)
    SELECT id, client, server, target, max, per_ms, created_at FROM limits;
  DROP TABLE limits;
  ALTER TABLE limits_v5 RENAME TO limits;

  CREATE TABLE arg_patterns_v5 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    server TEXT NOT NULL,
    tool TEXT NOT NULL,
    name TEXT NOT NULL,
    pattern TEXT NOT NULL,
    mode TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  INSERT INTO arg_patterns_v5 (id, server, tool, name, pattern, mode, created_at)
    SELECT id, server, tool, name, pattern, mode, created_at FROM arg_patterns;
  DROP TABLE arg_patterns;
  ALTER TABLE arg_patterns_v5 RENAME TO arg_patterns;

  CREATE TABLE calls_v5 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
    result_bytes INTEGER,
    decision TEXT,
    reason TEXT,
    reason_meta TEXT,
    mac TEXT,
    notes TEXT,
    done_mac TEXT,
    repeats INTEGER NOT NULL DEFAULT 1
  );
  INSERT INTO calls_v5 (id, ts, session, client, server, method, target, arguments, outcome, error, duration_ms, result_bytes, decision, reason, reason_meta, mac, notes, done_mac)
    SELECT id, ts, session, client, server, method, target, arguments, outcome, error, duration_ms, result_bytes, decision, reason, reason_meta, mac, notes, done_mac FROM calls;
  DROP TABLE calls;
  ALTER TABLE calls_v5 RENAME TO calls;
  CREATE INDEX calls_ts ON calls(ts);

  INSERT INTO sqlite_sequence (name, seq)
    SELECT name, 0 FROM (SELECT 'rules' AS name UNION ALL SELECT 'limits' UNION ALL SELECT 'arg_patterns' UNION ALL SELECT 'calls')
    WHERE name NOT IN (SELECT name FROM sqlite_sequence);
  UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((
    SELECT MAX(CAST(json_extract(reason_meta, '$.ruleId') AS INTEGER)) FROM calls WHERE json_valid(reason_meta)
  ), 0)) WHERE name = 'rules';
  UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((
    SELECT MAX(CAST(json_extract(reason_meta, '$.limitId') AS INTEGER)) FROM calls WHERE json_valid(reason_meta)
  ), 0)) WHERE name = 'limits';
  `,
  // The flow guard's labels: a row says the user set (value 1) or took away (value 0) one
  // label on a server (tool '') or a tool; no row leaves it to the tool's hints.
  `
  CREATE TABLE flow_labels (
    server TEXT NOT NULL,
    tool TEXT NOT NULL,
    label TEXT NOT NULL,
    value INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (server, tool, label)
  );
  `,
];

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeRule } from '../../../../src-shared/policy-types.js';
import { AuditLog } from '../../../../src-main/core/audit/audit-log.js';
import { listBackups } from '../../../../src-main/core/db/backups.js';
import { CallStore } from '../../../../src-main/core/db/call-store.js';
import { openDatabase } from '../../../../src-main/core/db/database.js';
import { LimitStore } from '../../../../src-main/core/db/limit-store.js';
import { MIGRATIONS } from '../../../../src-main/core/db/migrations.js';
import { RuleStore } from '../../../../src-main/core/db/rule-store.js';
import { SettingsStore } from '../../../../src-main/core/db/settings-store.js';

const KEY = Buffer.alloc(32, 3);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-mig-'));
  dirs.push(dir);
  return dir;
}
const rule = { client: '*', server: 'github', kind: 'tool' as const, target: 'delete_*', action: 'deny' as const };

describe('G6: ids are never reused', () => {
  it('gives a new rule and a new limit a new id after the newest is deleted', () => {
    const db = openDatabase(':memory:');
    const rules = new RuleStore(db);
    const first = rules.add(rule, 1);
    const second = rules.add({ ...rule, target: 'push' }, 2);
    rules.remove(second.id);
    expect(rules.add({ ...rule, target: 'merge' }, 3).id).toBe(second.id + 1);
    expect(first.id).toBe(1);
    const limits = new LimitStore(db);
    const limit = limits.add({ client: '*', server: '*', target: '*', max: 5, perMs: 60_000 }, 1);
    limits.remove(limit.id);
    expect(limits.add({ client: '*', server: '*', target: '*', max: 6, perMs: 60_000 }, 2).id).toBe(limit.id + 1);
  });

  it('keeps existing ids through the migration, and starts past every id an audit row cites', () => {
    const dir = tempDir();
    const path = join(dir, 'warden.db');
    const old = openDatabase(path, MIGRATIONS.slice(0, 4));
    const insertRule = old.prepare("INSERT INTO rules (client, server, kind, target, action, created_at) VALUES ('*', 'github', 'tool', ?, 'deny', 0)");
    for (const target of ['a', 'b', 'c', 'd']) insertRule.run(target);
    old.prepare('DELETE FROM rules WHERE id IN (2, 4)').run();
    // A signed chain written by this version, copied into the old schema's table.
    const scratch = openDatabase(':memory:');
    const log = new AuditLog(new CallStore(scratch), new SettingsStore(scratch), KEY);
    const base = { ts: 1, session: 's', client: 'c', server: 'github', method: 'tools/call', target: 't', arguments: null, decision: 'deny' };
    log.batch(() => {
      log.begin({ ...base, reason: 'rule 4 (github / d = deny)', reasonMeta: '{"type":"rule","ruleId":4}' });
      log.begin({ ...base, reason: 'limit 9', reasonMeta: '{"type":"limit","limitId":9}' });
    });
    const columns = 'id, ts, session, client, server, method, target, arguments, outcome, error, duration_ms, result_bytes, decision, reason, reason_meta, mac, notes, done_mac';
    const insert = old.prepare(`INSERT INTO calls (${columns}) VALUES (${columns.split(', ').map((c) => `@${c}`).join(', ')})`);
    for (const row of scratch.prepare(`SELECT ${columns} FROM calls`).all()) insert.run(row);
    old.close();

    const db = openDatabase(path, MIGRATIONS, { backupDir: join(dir, 'backups') });
    const rules = new RuleStore(db);
    expect(rules.list().map((r) => [r.id, r.target])).toEqual([
      [1, 'a'],
      [3, 'c'],
    ]);
    expect(rules.add(rule, 5).id).toBe(5);
    expect(new LimitStore(db).add({ client: '*', server: '*', target: '*', max: 1, perMs: 1000 }, 1).id).toBe(10);
    const migrated = new AuditLog(new CallStore(db), new SettingsStore(db), KEY);
    expect(migrated.verify()).toMatchObject({ ok: true, rows: 2 });
    expect(listBackups(join(dir, 'backups')).map((b) => b.kind)).toEqual(['migration']);
    db.close();
  });

  it('keeps in the audit row the text of the rule that decided it, after the rule is deleted', () => {
    const db = openDatabase(':memory:');
    const rules = new RuleStore(db);
    const deciding = rules.add(rule, 1);
    const log = new AuditLog(new CallStore(db), new SettingsStore(db), KEY);
    const id = log.refused(
      { ts: 1, session: 's', client: 'c', server: 'github', method: 'tools/call', target: 'delete_repo', arguments: null, decision: 'deny', reason: describeRule(deciding), reasonMeta: JSON.stringify({ type: 'rule', ruleId: deciding.id }) },
      { outcome: 'denied', error: 'blocked', durationMs: 0, resultBytes: null, notes: null },
    );
    rules.remove(deciding.id);
    const replacement = rules.add({ ...rule, target: '*', action: 'allow' }, 2);
    expect(replacement.id).not.toBe(deciding.id);
    expect(log.query(1, id - 1)[0]?.reason).toBe('rule 1 (github / delete_* = deny)');
  });
});

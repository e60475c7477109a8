import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../../../src-main/core/audit/audit-log.js';
import { CallStore } from '../../../../src-main/core/db/call-store.js';
import { openDatabase, type Db } from '../../../../src-main/core/db/database.js';
import { SettingsStore } from '../../../../src-main/core/db/settings-store.js';

function setup(key = Buffer.alloc(32, 7)) {
  const db = openDatabase(':memory:');
  const log = new AuditLog(new CallStore(db), new SettingsStore(db), key);
  return { db, log };
}

function write(log: AuditLog, count: number, ts = 1000): number[] {
  const ids: number[] = [];
  log.batch(() => {
    for (let i = 0; i < count; i++) {
      const id = log.begin({
        ts: ts + i,
        session: 's',
        client: 'claude',
        server: 'github',
        method: 'tools/call',
        target: `tool_${i}`,
        arguments: `{"i":${i}}`,
        decision: 'allow',
        reason: 'rule 1 (github / * = allow)',
        reasonMeta: '{"type":"rule","ruleId":1}',
      });
      log.end(id, { outcome: 'ok', error: null, durationMs: 3, resultBytes: 40, notes: null });
      ids.push(id);
    }
  });
  log.flush();
  return ids;
}

const tamper = (db: Db, sql: string): void => void db.prepare(sql).run();

describe('AuditLog', () => {
  describe('verify()', () => {
    it('verifies an intact chain', () => {
      const { log } = setup();
      write(log, 5);
      expect(log.verify()).toEqual({ ok: true, rows: 5, firstId: 1, lastId: 5, problemCount: 0, problems: [] });
    });

    it.each([
      ['a changed argument', "UPDATE calls SET arguments = '{\"i\":99}' WHERE id = 3", 3, /content or its place/],
      ['a changed decision', "UPDATE calls SET decision = 'deny' WHERE id = 2", 2, /content or its place/],
      ['a changed outcome', "UPDATE calls SET outcome = 'error' WHERE id = 4", 4, /outcome was changed/],
      ['a removed row', 'DELETE FROM calls WHERE id = 2', 3, /a row before it was removed/],
    ])('reports the broken row after %s', (_what, sql, brokenId, problem) => {
      const { db, log } = setup();
      write(log, 5);
      tamper(db, sql);
      const report = log.verify();
      expect(report).toMatchObject({ ok: false, problemCount: 1 });
      expect(report.problems[0]?.id).toBe(brokenId);
      expect(report.problems[0]?.problem).toMatch(problem);
    });

    it('detects removed newest rows through the signed head', () => {
      const { db, log } = setup();
      write(log, 5);
      log.anchor();
      tamper(db, 'DELETE FROM calls WHERE id >= 4');
      const report = log.verify();
      expect(report).toMatchObject({ ok: false, problems: [{ id: 5, problem: expect.stringMatching(/newest rows were removed/) }] });
    });

    it('refuses a chain signed with another key', () => {
      const { db, log } = setup();
      write(log, 2);
      const other = new AuditLog(new CallStore(db), new SettingsStore(db), Buffer.alloc(32, 9));
      expect(other.verify()).toMatchObject({ ok: false, problemCount: 2, problems: [{ id: 1 }, { id: 2 }] });
    });
  });

  describe('prune()', () => {
    it('keeps the rest verifiable through a signed checkpoint, and goes on chaining', () => {
      const { log } = setup();
      write(log, 10, 1000);
      expect(log.prune(1005, 1_000_000)).toBe(5);
      expect(log.verify()).toMatchObject({ ok: true, rows: 5, firstId: 6, lastId: 10 });
      write(log, 2, 5000);
      expect(log.verify()).toMatchObject({ ok: true, rows: 7, firstId: 6, lastId: 12 });
      expect(log.prune(0, 3)).toBe(4);
      expect(log.verify()).toMatchObject({ ok: true, rows: 3, firstId: 10, lastId: 12 });
    });

    it('detects a forged checkpoint', () => {
      const { db, log } = setup();
      write(log, 4, 1000);
      log.prune(1002, 1_000_000);
      tamper(db, `UPDATE settings SET value = json_set(value, '$.id', 1) WHERE key = 'audit.checkpoint'`);
      expect(log.verify()).toMatchObject({ ok: false, problems: [{ id: null, problem: 'the prune checkpoint is not signed by this vault' }] });
    });
  });

  it('completes rows a crash left pending as interrupted, still verifiable', () => {
    const { db, log } = setup();
    log.batch(() =>
      log.begin({ ts: 1, session: 's', client: 'c', server: 's', method: 'tools/call', target: 't', arguments: null, decision: 'allow', reason: 'r', reasonMeta: null }),
    );
    const restarted = new AuditLog(new CallStore(db), new SettingsStore(db), Buffer.alloc(32, 7));
    expect(restarted.markInterrupted()).toBe(1);
    expect(restarted.query(10)[0]?.outcome).toBe('interrupted');
    expect(restarted.verify()).toMatchObject({ ok: true, rows: 1 });
  });
});

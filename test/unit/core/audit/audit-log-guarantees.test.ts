import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditFailureReason } from '../../../../src-main/core/audit/audit-failure.js';
import { AuditLog, type CompletionInput, type NewCallInput } from '../../../../src-main/core/audit/audit-log.js';
import { CallStore } from '../../../../src-main/core/db/call-store.js';
import { limitPages, openDatabase, type Db } from '../../../../src-main/core/db/database.js';
import { SettingsStore } from '../../../../src-main/core/db/settings-store.js';

const KEY = Buffer.alloc(32, 7);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup(file = ':memory:') {
  const db = openDatabase(file);
  const store = new CallStore(db);
  const log = new AuditLog(store, new SettingsStore(db), KEY);
  return { db, store, log };
}

function onDisk() {
  const dir = mkdtempSync(join(tmpdir(), 'warden-audit-'));
  dirs.push(dir);
  return setup(join(dir, 'warden.db'));
}

const call = (over: Partial<NewCallInput> = {}): NewCallInput => ({
  ts: 1000,
  session: 's1',
  client: 'claude',
  server: 'github',
  method: 'tools/call',
  target: 'delete_repo',
  arguments: '{"name":"x"}',
  decision: 'deny',
  reason: 'rule 3 (github / delete_* = deny)',
  reasonMeta: '{"type":"rule","ruleId":3}',
  ...over,
});
const denied: CompletionInput & { outcome: 'denied' } = { outcome: 'denied', error: 'Blocked by MCP Warden: rule 3', durationMs: 0, resultBytes: null, notes: null };
const ok: CompletionInput = { outcome: 'ok', error: null, durationMs: 3, resultBytes: 40, notes: null };

function writeOne(log: AuditLog, row: NewCallInput, done: CompletionInput = ok): number {
  const id = log.batch(() => log.begin(row));
  log.end(id, done);
  log.flush();
  return id;
}

const raw = (db: Db, id: number) => db.prepare('SELECT * FROM calls WHERE id = ?').get(id) as Record<string, unknown>;

describe('G3: the MAC covers exactly the bytes stored', () => {
  it('verifies a row whose texts hold lone surrogates, stored as U+FFFD', () => {
    const { db, log } = setup();
    const id = writeOne(log, call({ target: 'get-env\ud800', client: '\udfffclaude', arguments: '{"a":"\ud83d"}', reason: 'r\ud800' }), { ...ok, error: 'x\udc00', notes: '\ud800' });
    expect(raw(db, id).target).toBe('get-env\ufffd');
    expect(log.verify()).toMatchObject({ ok: true, rows: 1, problemCount: 0 });
  });

  it('verifies a row with NUL characters, keeping them', () => {
    const { db, log } = setup();
    const id = writeOne(log, call({ target: 'a\u0000b', arguments: '\u0000\u0000' }), { ...ok, error: '\u0000' });
    expect(raw(db, id).target).toBe('a\u0000b');
    expect(log.verify().ok).toBe(true);
  });

  it('verifies a row with a 4 MiB argument and non-finite numbers', () => {
    const { log } = setup();
    writeOne(log, call({ arguments: 'x\ud800'.repeat(2 * 1024 * 1024), ts: Number.NaN }), { ...ok, durationMs: Number.NaN, resultBytes: Number.POSITIVE_INFINITY });
    expect(log.verify().ok).toBe(true);
  });

  it('verifies any text in any field (property)', () => {
    const { log } = setup();
    // Any code point, with lone surrogates and NULs made common (they are rare among all code points).
    const unit = fc.oneof(fc.constantFrom('\ud800', '\udfff', '\u0000', '\ufffd'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
    const text = fc.string({ unit, maxLength: 40 });
    fc.assert(
      fc.property(text, text, text, fc.option(text), fc.option(text), text, fc.option(text), (client, server, method, target, args, reason, error) => {
        writeOne(log, call({ client, server, method, target, arguments: args, reason, session: client }), { ...ok, error });
        const report = log.verify();
        return report.ok;
      }),
      { numRuns: 200, seed: 42 },
    );
  });
});

describe('G3: log verify reports every bad row', () => {
  it('lists each changed row and carries on past it', () => {
    const { db, log } = setup();
    for (let i = 0; i < 12; i++) writeOne(log, call({ ts: 1000 + i, target: `t${i}` }));
    db.prepare("UPDATE calls SET target = 'changed' WHERE id IN (2, 5, 9)").run();
    const report = log.verify();
    expect(report).toMatchObject({ ok: false, rows: 12, problemCount: 3 });
    expect(report.problems.map((p) => p.id)).toEqual([2, 5, 9]);
  });

  it('counts every bad row and lists the first 20', () => {
    const { db, log } = setup();
    for (let i = 0; i < 40; i++) writeOne(log, call({ ts: 1000 + i }));
    db.prepare("UPDATE calls SET outcome = 'error' WHERE id > 10").run();
    const report = log.verify();
    expect(report.problemCount).toBe(30);
    expect(report.problems).toHaveLength(20);
    expect(report.problems[0]).toEqual({ id: 11, problem: 'row #11 does not verify: its outcome was changed' });
  });
});

describe('G3: a log behind its signed head is refused', () => {
  it('says the log ends before the head kept outside the database', () => {
    const { log } = setup();
    writeOne(log, call());
    const head = log.head();
    const fresh = setup();
    expect(fresh.log.headProblem(head)).toMatch(/ends at #0, but Warden had written up to #1/);
    expect(log.headProblem(head)).toBeUndefined();
    expect(log.headProblem(undefined)).toBeUndefined();
  });

  it('says a head signed with another key belongs to another database', () => {
    const { log } = setup();
    writeOne(log, call());
    expect(log.headProblem({ ...log.head(), tag: 'forged' })).toMatch(/signed with another key/);
  });
});

describe('G5: a full disk loses no call outcome', () => {
  /** Fills the database (its page cap at its size) until a batch fails; returns that error. */
  function fill(db: Db, log: AuditLog): unknown {
    limitPages(db, 0);
    for (let i = 0; i < 10_000; i++) {
      try {
        log.batch(() => log.begin(call({ arguments: 'y'.repeat(2000), ts: 2000 + i })));
      } catch (error) {
        return error;
      }
    }
    throw new Error('the page cap never filled the database');
  }

  it('refuses with "the disk is full", keeps queued completions, and continues the chain once space returns', () => {
    const { db, store, log } = onDisk();
    const first = log.batch(() => log.begin(call()));
    const error = fill(db, log);
    expect(auditFailureReason(error)).toBe('the disk is full');
    const committed = store.last()?.id as number;
    log.end(first, { ...ok, error: 'e'.repeat(50_000) });
    expect(() => log.flush()).toThrow(/full/);
    expect(log.query(1, first - 1)[0]?.outcome).toBe('pending');

    limitPages(db, undefined);
    log.flush();
    expect(log.query(1, first - 1)[0]?.outcome).toBe('ok');
    expect(log.batch(() => log.begin(call({ ts: 99_000 })))).toBe(committed + 1);
    log.flush();
    expect(log.verify()).toMatchObject({ ok: true, problemCount: 0 });
  });

  it('drops the completion of a row whose transaction failed, so it never completes the next row with that id', () => {
    const { log } = setup();
    expect(() =>
      log.batch(() => {
        const id = log.begin(call());
        log.end(id, { ...ok, error: 'belongs to the lost row' });
        throw new Error('the write failed');
      }),
    ).toThrow('the write failed');
    const id = writeOne(log, call({ target: 'next' }), { ...ok, error: null });
    expect(id).toBe(1);
    expect(log.query(1)[0]).toMatchObject({ target: 'next', error: null });
    expect(log.verify().ok).toBe(true);
  });

  it('describes other failures without their text', () => {
    expect(auditFailureReason(Object.assign(new Error('disk I/O error at /home/x'), { code: 'SQLITE_IOERR_WRITE' }))).toBe('the disk could not be read or written');
    expect(auditFailureReason(new Error('token ghp_secret leaked'))).toBe('an internal error');
  });
});

describe('G6: repeated refusals fold into one row', () => {
  it('counts identical refusals of a session in the newest row, and verifies', () => {
    const { db, log } = setup();
    const ids = [0, 1, 2].map((i) => log.batch(() => log.refused(call({ ts: 1000 + i * 1000 }), denied)));
    expect(new Set(ids).size).toBe(1);
    expect(log.query(10)).toHaveLength(1);
    expect(log.query(10)[0]).toMatchObject({ repeats: 3, outcome: 'denied' });
    expect(log.verify().ok).toBe(true);
    db.prepare('UPDATE calls SET repeats = 1').run();
    expect(log.verify()).toMatchObject({ ok: false, problems: [{ problem: expect.stringMatching(/outcome was changed/) }] });
  });

  it.each([
    ['a minute later', call({ ts: 1000 + 60_001 })],
    ['from another session', call({ session: 's2' })],
    ['with other arguments', call({ arguments: '{"name":"y"}' })],
    ['with another reason', call({ reason: 'rule 4 (github / * = deny)' })],
  ])('writes a new row for a refusal %s', (_what, second) => {
    const { log } = setup();
    const a = log.refused(call(), denied);
    const b = log.refused(second, denied);
    expect(b).not.toBe(a);
    expect(log.verify()).toMatchObject({ ok: true, rows: 2 });
  });

  it('does not fold across another row of the session', () => {
    const { log } = setup();
    const a = log.refused(call(), denied);
    writeOne(log, call({ decision: 'allow', reason: 'rule 1' }));
    expect(log.refused(call({ ts: 1500 }), denied)).not.toBe(a);
  });
});

describe('G6: retention caps the database size', () => {
  it('prunes the oldest rows until the database is under the cap, and still verifies', () => {
    const { store, log } = onDisk();
    for (let batch = 0; batch < 30; batch++) {
      log.batch(() => {
        for (let i = 0; i < 100; i++) log.end(log.begin(call({ ts: batch * 100 + i, arguments: 'z'.repeat(1500) })), ok);
      });
    }
    log.flush();
    const cap = 1024 * 1024;
    expect(store.usedBytes()).toBeGreaterThan(cap);
    const removed = log.prune(Number.NEGATIVE_INFINITY, 1_000_000, cap);
    expect(removed).toBeGreaterThan(0);
    expect(store.usedBytes()).toBeLessThanOrEqual(cap);
    expect(store.count()).toBe(3000 - removed);
    expect(log.verify()).toMatchObject({ ok: true, lastId: 3000 });
  });
});

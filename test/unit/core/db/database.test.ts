import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../helpers/temp-dir.js';
import { openDatabase } from '../../../../src-main/core/db/database.js';
import { MIGRATIONS } from '../../../../src-main/core/db/migrations.js';

const file = (): string => join(tempDir('warden-db-'), 'warden.db');

describe('openDatabase()', () => {
  it('creates the schema in WAL mode and records its version', () => {
    const db = openDatabase(file());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['servers', 'secrets', 'clients', 'calls', 'settings']));
    db.close();
  });

  it('applies only the migrations a database lacks', () => {
    const path = file();
    openDatabase(path, ['CREATE TABLE a (x)']).close();
    const db = openDatabase(path, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)']);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });

  it('rolls back a failing migration whole', () => {
    const path = file();
    expect(() => openDatabase(path, ['CREATE TABLE a (x); CREATE TABLE a (x);'])).toThrow();
    const db = openDatabase(path, ['CREATE TABLE a (x)']);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
  });

  it('refuses a database written by a newer Warden', () => {
    const path = file();
    openDatabase(path, ['CREATE TABLE a (x)', 'CREATE TABLE b (x)']).close();
    expect(() => openDatabase(path, ['CREATE TABLE a (x)'])).toThrow(
      /written by a newer version of Warden \(schema 2, this version knows 1\); update Warden or use another data dir/,
    );
  });
});

import type { Rule, TargetKind } from '../../../src-shared/policy-types.js';
import type { Db } from './database.js';

/** A rules row: the rule's fields, with the creation time under its column name. */
type RawRule = Omit<Rule, 'createdAt'> & { created_at: number };

export type NewRule = Omit<Rule, 'id' | 'createdAt'>;

/** Persists rules. */
export class RuleStore {
  private readonly listStmt;
  private readonly insertStmt;
  private readonly deleteStmt;
  private readonly findStmt;

  constructor(db: Db) {
    this.listStmt = db.prepare<[], RawRule>('SELECT * FROM rules ORDER BY id');
    this.insertStmt = db.prepare('INSERT INTO rules (client, server, kind, target, action, created_at) VALUES (@client, @server, @kind, @target, @action, @now)');
    this.deleteStmt = db.prepare('DELETE FROM rules WHERE id = ?');
    this.findStmt = db.prepare<[string, string, string, string], RawRule>(
      'SELECT * FROM rules WHERE client = ? AND server = ? AND kind = ? AND target = ?',
    );
  }

  list(): Rule[] {
    return this.listStmt.all().map(toRule);
  }

  add(rule: NewRule, now: number): Rule {
    const id = Number(this.insertStmt.run({ ...rule, now }).lastInsertRowid);
    return { ...rule, id, createdAt: now };
  }

  /** The rule with exactly these patterns, if there is one. */
  find(client: string, server: string, kind: TargetKind, target: string): Rule | undefined {
    const row = this.findStmt.get(client, server, kind, target);
    return row ? toRule(row) : undefined;
  }

  remove(id: number): boolean {
    return this.deleteStmt.run(id).changes > 0;
  }
}

function toRule(row: RawRule): Rule {
  return { id: row.id, client: row.client, server: row.server, kind: row.kind, target: row.target, action: row.action, createdAt: row.created_at };
}

/**
 * Vitest global setup: the run gets a private temp folder (TMPDIR, which every worker, daemon,
 * shim and upstream inherits), and at the end whatever a test left in it is named on stderr
 * (by prefix, so the test that made it can be found) and removed. /tmp keeps nothing of a run.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const outer = tmpdir();
  const dir = mkdtempSync(join(outer, 'warden-vitest-'));
  process.env.TMPDIR = dir;
  return () => {
    process.env.TMPDIR = outer;
    let left: string[] = [];
    try {
      left = readdirSync(dir);
    } catch {
      return;
    }
    if (left.length > 0) {
      const byPrefix = new Map<string, number>();
      for (const name of left) {
        const prefix = name.replace(/[A-Za-z0-9]{6}$/, '*');
        byPrefix.set(prefix, (byPrefix.get(prefix) ?? 0) + 1);
      }
      const list = [...byPrefix].map(([prefix, count]) => `${prefix} ×${count}`).join(', ');
      process.stderr.write(`warning: tests left ${left.length} item(s) in their temp folder (removed now): ${list}\n`);
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

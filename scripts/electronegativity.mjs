// Scans the desktop shell and the window with Electronegativity and fails on any HIGH finding.
// The tool lives in tools/electronegativity (it needs commander 6): npm ci --prefix tools/electronegativity
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'tools', 'electronegativity', 'node_modules', '.bin', 'electronegativity');
if (!existsSync(bin)) {
  console.error('electronegativity is not installed; run: npm ci --prefix tools/electronegativity');
  process.exit(1);
}
const { version } = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8'));
const target = mkdtempSync(join(tmpdir(), 'warden-scan-'));
cpSync(join(root, 'src-main', 'electron'), join(target, 'src-main', 'electron'), { recursive: true });
cpSync(join(root, 'src-renderer'), join(target, 'src-renderer'), { recursive: true });
const report = join(target, 'report.csv');
execFileSync(bin, ['-i', target, '-e', version, '-o', report, '-r'], { stdio: 'ignore' });
const rows = readFileSync(report, 'utf8').trim().split('\n').slice(1);
const findings = rows.map((row) => row.split(',').slice(0, 5).join(' ').replace(/"/g, ''));
for (const finding of findings) console.log(finding);
const high = rows.filter((row) => row.split(',')[1] === '"HIGH"');
rmSync(target, { recursive: true, force: true });
if (high.length > 0) {
  console.error(`Electronegativity: ${high.length} HIGH finding(s)`);
  process.exit(1);
}
console.log(`Electronegativity (Electron ${version}): ${findings.length} finding(s), none HIGH`);

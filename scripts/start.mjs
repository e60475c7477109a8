// `npm start`: builds, rebuilds better-sqlite3 for Electron's ABI, runs the desktop app, and
// afterwards rebuilds it for Node again, so `npm test`, the CLI and `warden daemon` keep
// loading the Node build (DESIGN: never rebuild for Electron in postinstall).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { electronProblem } from './electron-check.mjs';

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (command, args) => {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`npm start: "${command} ${args.join(' ')}" failed`);
    process.exit(result.status ?? 1);
  }
};

const problem = electronProblem({ root: fileURLToPath(new URL('..', import.meta.url)), env: process.env, platform: process.platform });
if (problem) {
  console.error(problem);
  process.exit(1);
}

run(process.execPath, ['scripts/build.mjs']);
run(npx, ['electron-builder', 'install-app-deps']);
const app = spawnSync(npx, ['electron', '.', ...process.argv.slice(2)], { stdio: 'inherit' });
run(npm, ['rebuild', 'better-sqlite3']);
process.exit(app.status ?? 0);

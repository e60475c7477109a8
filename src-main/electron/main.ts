/**
 * The Electron main process entry: hands the real Electron module to the shell. Everything it
 * does is in shell.ts and the modules beside it (tested with fakes), and in src-main/core.
 */
import * as electron from 'electron';
import { join } from 'node:path';
import { startShell } from './shell.js';

const { app } = electron;
startShell(electron, {
  distDir: join(__dirname, '..'),
  argv: process.argv,
  env: process.env,
  platform: process.platform,
  appPath: app.isPackaged ? undefined : app.getAppPath(),
}).catch((error: unknown) => {
  process.stderr.write(`MCP Warden could not start: ${(error as Error).message}\n`);
  app.exit(1);
});

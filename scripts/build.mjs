// Builds the Node bundles with esbuild: the CLI + core, and the shim as its own bundle that
// may hold nothing but Node built-ins (checked here, so a heavy import fails the build).
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { copyFileSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  logLevel: 'warning',
  define: { __WARDEN_VERSION__: JSON.stringify(version) },
};

await build({
  ...common,
  entryPoints: { warden: 'src-main/cli/warden.ts' },
  outdir: 'dist/cli',
  outExtension: { '.js': '.mjs' },
  packages: 'external',
});

// The desktop shell: the main process (Node packages stay external, electron-builder ships
// them) and the sandboxed preload (which may load nothing but electron, so it is bundled whole).
await build({
  ...common,
  entryPoints: { main: 'src-main/electron/main.ts' },
  outdir: 'dist/electron',
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  packages: 'external',
});
await build({
  ...common,
  entryPoints: { preload: 'src-main/electron/preload.ts' },
  outdir: 'dist/electron',
  format: 'cjs',
  platform: 'browser',
  external: ['electron'],
  outExtension: { '.js': '.cjs' },
});
for (const icon of ['tray-running.png', 'tray-paused.png', 'tray-pending.png']) {
  copyFileSync(new URL(`../resources/${icon}`, import.meta.url), new URL(`../dist/electron/${icon}`, import.meta.url));
}

const shim = await build({
  ...common,
  entryPoints: { stdio: 'src-main/cli/stdio.ts' },
  outdir: 'dist/cli',
  outExtension: { '.js': '.mjs' },
  metafile: true,
});
const foreign = Object.keys(shim.metafile.inputs).filter((input) => !input.startsWith('src-main/') && !input.startsWith('src-shared/'));
if (foreign.length > 0) {
  console.error(`the shim bundle must hold only Warden's own small modules, but it pulls in: ${foreign.join(', ')}`);
  process.exit(1);
}

// The window (React), served by `warden daemon --web` and loaded by the desktop shell.
await viteBuild({ configFile: new URL('../vite.config.ts', import.meta.url).pathname, logLevel: 'warn' });

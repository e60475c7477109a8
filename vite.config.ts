import { defineConfig } from 'vite';

// The window's renderer bundle. The pages arrive with the window issue; the build is wired now
// so the layout and layering rules hold from the start.
export default defineConfig({
  root: 'src-renderer',
  base: './',
  build: { outDir: '../dist/renderer', emptyOutDir: true },
});

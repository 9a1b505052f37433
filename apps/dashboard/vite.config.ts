import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The dashboard's build: a static single-page app in `dist/` that the server serves at `/`.
 * The world atlas is imported with `?url`, so it ships as its own file and is fetched at run
 * time instead of swelling the JavaScript.
 */
export default defineConfig({
  root,
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Keep the atlas a file of its own whatever its size.
    assetsInlineLimit: 0,
  },
});

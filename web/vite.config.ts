/**
 * Builds the web app into ../dist/web, which the API server serves (src/plugins/web-app.ts).
 * No inline script or style ends up in index.html: the pages run under a CSP without 'unsafe-inline'.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    alias: { react: 'preact/compat', 'react-dom': 'preact/compat' },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2020',
    // Inline assets would become data: URLs inside CSS/JS; keep files (CSP stays simple).
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '^/(auth|admin|attendance|reports|health|openapi.json|check-in|session)': 'http://127.0.0.1:5000',
    },
  },
});

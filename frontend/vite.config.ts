/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The build lands in ../embed/dist/app, which the Go binary embeds (embed/webui.go). The folder
// is emptied on each build; embed/dist/README.md, one level up, is tracked and stays.
export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../embed/dist/app',
    emptyOutDir: true,
    target: 'es2022',
    // No inline <script> and no eval anywhere: the server's CSP is script-src 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  server: {
    // `npm run dev` against a running `assay serve` on the default port.
    proxy: { '/api': 'http://127.0.0.1:5000', '/auth': 'http://127.0.0.1:5000', '/v1': 'http://127.0.0.1:5000' },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});

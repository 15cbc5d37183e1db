// Tandem's web app. Preact through esbuild's automatic JSX runtime (no plugin); the
// production build is plain files under dist/ that `tandem serve` serves, with no inline
// script or style so the server's Content-Security-Policy needs no 'unsafe-inline'.
import { defineConfig } from "vitest/config";

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Browsers from 2022 on: esbuild flattens CSS nesting (the role areas' scoped styles).
    cssTarget: ["chrome100", "firefox100", "safari15"],
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8080" },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});

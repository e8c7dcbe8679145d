/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';

// Provided by Grafana at run time (SystemJS), never bundled.
const EXTERNALS = [
  'react',
  'react-dom',
  '@grafana/data',
  '@grafana/ui',
  '@grafana/runtime',
  'rxjs',
  '@emotion/css',
];

const isExternal = (id: string) => EXTERNALS.some((e) => id === e || id.startsWith(`${e}/`));

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

function today(): string {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const d = epoch ? new Date(Number(epoch) * 1000) : new Date();
  return d.toISOString().slice(0, 10);
}

/** Emits plugin.json (version and date filled in) and the logo next to module.js. */
function pluginFiles(): Plugin {
  return {
    name: 'vigil-plugin-files',
    apply: 'build',
    generateBundle() {
      const pluginJson = readFileSync(new URL('./src/plugin.json', import.meta.url), 'utf8')
        .replace(/%VERSION%/g, pkg.version)
        .replace(/%TODAY%/g, today());
      JSON.parse(pluginJson); // fail the build on a broken plugin.json
      this.emitFile({ type: 'asset', fileName: 'plugin.json', source: pluginJson });
      this.emitFile({
        type: 'asset',
        fileName: 'img/logo.svg',
        source: readFileSync(new URL('./src/img/logo.svg', import.meta.url)),
      });
    },
  };
}

export default defineConfig({
  publicDir: false,
  plugins: [pluginFiles()],
  build: {
    outDir: 'dist',
    // dist/ also holds the Go backend's gpx_vigil_* executables: keep them.
    emptyOutDir: false,
    copyPublicDir: false,
    target: 'es2020',
    sourcemap: true,
    minify: true,
    modulePreload: false,
    rollupOptions: {
      input: 'src/module.ts',
      external: isExternal,
      preserveEntrySignatures: 'strict',
      output: {
        // Grafana loads module.js with SystemJS's AMD support and reads its `plugin` export.
        format: 'amd',
        entryFileNames: 'module.js',
        inlineDynamicImports: true,
        interop: 'compat',
        sourcemapExcludeSources: true,
      },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    css: false,
    // Grafana's ESM builds import CommonJS subpaths without extensions
    // (react-use/lib/...), which Node's loader refuses: let Vite transform them.
    server: { deps: { inline: [/@grafana\//] } },
  },
});

// Bundles the Electron main process and the preload. The main process is ESM (like the
// CLI bundle); the preload is CommonJS because a sandboxed preload cannot load ESM.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node22', sourcemap: 'linked', external: ['electron', 'keytar'], logLevel: 'warning' };

await build({
  ...common,
  entryPoints: { main: 'main/desktop/main.ts' },
  outdir: 'dist/desktop',
  format: 'esm',
  mainFields: ['module', 'main'],
  banner: {
    js: "import { createRequire as __mcpfwCreateRequire } from 'node:module';\nconst require = __mcpfwCreateRequire(import.meta.url);",
  },
});
await build({ ...common, entryPoints: { preload: 'preload/index.ts' }, outfile: 'dist/desktop/preload.cjs', format: 'cjs' });

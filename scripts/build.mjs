// Bundles the CLI into dist/ so `node dist/cli.js` runs with no TypeScript tooling.
// Code splitting keeps the shim's cold start small: `wrap` loads only the relay chunk,
// never the YAML parser, SQLite store or control API that `serve` needs.
import { build } from 'esbuild';
import { chmod, readdir, readFile, rm, writeFile } from 'node:fs/promises';

// Only this bundle's own outputs: the renderer and desktop builds live in dist/ too.
await rm('dist/chunks', { recursive: true, force: true });
await rm('dist/cli.js', { force: true });
await rm('dist/cli.js.map', { force: true });
// Node's ESM wrapper of a builtin reads every one of its exports, and that runs the lazy
// getters: `fs.promises` loads readline and file streams, `crypto.webcrypto` the whole Web
// Crypto layer. Taken through require() (the banner's), a builtin loads only itself — ~0.3 MB
// less RSS in every shim (docs/benchmarks.md). node:module is what the banner imports.
const builtinsThroughRequire = {
  name: 'builtins-through-require',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, ({ path, namespace }) => {
      if (path === 'node:module') return undefined;
      return namespace === 'builtin' ? { path, external: true } : { path, namespace: 'builtin' };
    });
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, ({ path }) => ({
      contents: `module.exports = require(${JSON.stringify(path)});`,
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: { cli: 'main/cli/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // jsonc-parser's CommonJS entry is a UMD wrapper whose require()s esbuild cannot follow.
  mainFields: ['module', 'main'],
  // keytar is a native (N-API) module: it loads its .node binary relative to its own files.
  external: ['keytar'],
  target: 'node22',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  banner: {
    js: [
      '#!/usr/bin/env node',
      // Bundled CommonJS dependencies (yaml) call require(); give ESM output one.
      "import { createRequire as __mcpfwCreateRequire } from 'node:module';",
      'const require = __mcpfwCreateRequire(import.meta.url);',
    ].join('\n'),
  },
  plugins: [builtinsThroughRequire],
  logLevel: 'warning',
});
await chmod('dist/cli.js', 0o755);

// V8 keeps a script's source in memory as Latin-1 when every char of it fits, else as UTF-16,
// twice the bytes. esbuild escapes strings as ASCII but keeps comments and regex literals as
// they are, and one `…` in a comment made the output stage's ~96 KB chunk take ~190 KB in
// every shim (zod's ~750 KB in the engine). Such chars become `?` (one per UTF-16 unit, so
// source-map columns stay right); one anywhere but a comment line would be code, and stops
// the build: a regex takes it as \uXXXX.
for (const file of ['dist/cli.js', ...(await readdir('dist/chunks')).filter((f) => f.endsWith('.js')).map((f) => `dist/chunks/${f}`)]) {
  const text = await readFile(file, 'utf8');
  if (!/[^\x00-\x7f]/.test(text)) continue;
  const lines = text.split('\n').map((line) => {
    if (!/[^\x00-\x7f]/.test(line)) return line;
    if (!/^\s*(?:\/\/|\/?\*)/.test(line)) throw new Error(`${file}: a non-ASCII char outside a comment line (write it as \\uXXXX): ${line.trim().slice(0, 120)}`);
    return line.replace(/[^\x00-\x7f]/g, '?');
  });
  await writeFile(file, lines.join('\n'));
}

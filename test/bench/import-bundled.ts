// The benches run under `node --experimental-strip-types`, whose type stripping cannot follow
// the sources' NodeNext `.js` specifiers; so what a bench needs is bundled with esbuild
// first (the way the shim is bundled) and imported from a temp file.
import { build, type BuildOptions } from 'esbuild';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** `exports`: lines such as "export * from './main/firewall/output/index.ts';", relative to the repo root. */
export async function importBundled<T>(exports: string[], options: Pick<BuildOptions, 'mainFields' | 'banner'> = {}): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mcpfw-bench-'));
  const outfile = path.join(dir, 'bench.mjs');
  try {
    await build({
      stdin: { contents: exports.join('\n'), resolveDir: REPO_ROOT, loader: 'ts' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      outfile,
      logLevel: 'error',
      ...options,
    });
    return (await import(pathToFileURL(outfile).href)) as T;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Builds what `bin/kansou.js` runs: the command and the import worker, each bundled with the
// libraries they use into a few files of dist/ (esbuild; parts loaded on demand stay separate
// chunks), and the site's assets beside them.
//
// Why a bundle: Node loads ES modules one file at a time, and the command used to load some 300
// of them (263 from Kysely alone) before doing anything: 0.27 s for `kansou --help`, 0.13 s
// bundled. See ARCHITECTURE.md. Types are checked by `npm run check`, not here.
//
//   node scripts/build.mjs [OUTDIR]     (default dist/)
import { cpSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = resolve(root, process.argv[2] ?? 'dist');

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  // The worker is found next to the module that starts it (import/units.ts), and the assets next
  // to site/http.ts: with every output file in one folder, both resolve there.
  entryPoints: { main: 'src/cli/main.ts', 'parse.worker': 'src/import/parse.worker.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  tsconfig: 'tsconfig.json',
  // Native or optional drivers stay ordinary imports from node_modules.
  external: ['better-sqlite3', 'pg', 'pg-native'],
  // Libraries written as CommonJS call require() for Node's own modules.
  banner: { js: "import { createRequire as kansouCreateRequire } from 'node:module'; const require = kansouCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
cpSync(resolve(root, 'src/site/assets'), resolve(outdir, 'assets'), { recursive: true });

/**
 * The command as users run it: bundled by `npm install` (scripts/build.mjs), where every other
 * test runs the TypeScript sources. What a bundle can break and these tests would see: the
 * import's worker thread and the site's assets are found next to the module that uses them,
 * and parts loaded on demand (the server, the list importers) are separate files.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { builtCommand, runCli, startCli, type Launch } from '../../test/cli.js';

const root = new URL('../../', import.meta.url).pathname;
const fixture = readFileSync(join(root, 'test/fixtures/reviews/mob-psycho-100.txt'), 'utf8');
const malExport = join(root, 'src/import/mal/fixtures/anime-list-1.1.0.xml.gz');
let build: string;
let launch: Launch;

beforeAll(() => {
  // Under node_modules, so the bundle finds the packages it leaves out (the database drivers) as dist/ does.
  mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
  build = mkdtempSync(join(root, 'node_modules/.cache/kansou-build-test-'));
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), join(build, 'dist')]);
  mkdirSync(join(build, 'bin'));
  copyFileSync(join(root, 'bin/kansou.js'), join(build, 'bin/kansou.js'));
  launch = builtCommand(join(build, 'bin/kansou.js'));
}, 120_000);

afterAll(() => rmSync(build, { recursive: true, force: true }));

forEachDatabase((fresh) => {
  it('imports review files on its reading thread and a MyAnimeList export, then serves their pages with the assets', async () => {
    const { url } = await fresh();
    const env = { DATABASE_URL: url };
    // More than one transaction's worth of files (100), so the files are read on the worker thread.
    const folder = mkdtempSync(join(tmpdir(), 'kansou-build-files-'));
    try {
      for (let i = 1; i <= 120; i++) writeFileSync(join(folder, `review-${i}.txt`), fixture.replace('Mob Psycho 100', `Bundled Show ${i}`));
      const text = await runCli(['import', folder], env, undefined, launch);
      expect(text.stderr).toContain('120 files: 120 imported (120 created, 0 updated, 0 unchanged), 0 failed');
      expect(text.stderr).not.toContain('read on the main thread');
      expect(text.code).toBe(0);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }

    const mal = await runCli(['import', '--format', 'mal', malExport], env, undefined, launch);
    expect(`${mal.stdout}${mal.stderr}`).toMatch(/8 entries: 8 created/);
    expect(mal.code).toBe(0);

    const port = 42000 + Math.floor(Math.random() * 8000);
    const server = startCli(['serve'], { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' }, launch);
    try {
      await server.waitFor('Server listening');
      const page = await fetch(`http://127.0.0.1:${port}/works/bundled-show-7`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<h1');
      expect(html).toContain('Bundled Show 7');
      const stylesheet = /href="(\/assets\/site\.[0-9a-f]+\.css)"/.exec(html)?.[1];
      expect(stylesheet).toBeDefined();
      const css = await fetch(`http://127.0.0.1:${port}${stylesheet}`);
      expect(css.status).toBe(200);
      expect(css.headers.get('content-type')).toMatch(/^text\/css/);
      const found = (await (await fetch(`http://127.0.0.1:${port}/api/v1/works?q=bundled+show+7`)).json()) as { items: { slug: string }[] };
      expect(found.items.map((w) => w.slug)).toContain('bundled-show-7');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

it('prints its usage, naming every command, and its version', async () => {
  const help = await runCli(['--help'], {}, undefined, launch);
  expect(help.code).toBe(0);
  for (const command of ['serve', 'import', 'export', 'render', 'user']) expect(help.stdout).toContain(command);
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const printed = await runCli(['--version'], {}, undefined, launch);
  expect(printed.stdout.trim()).toBe(version);
  expect(printed.code).toBe(0);
});

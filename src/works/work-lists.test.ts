import { describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { heroMask, makeItem } from '../../test/factories.js';
import type { Db } from '../db/connection.js';
import { createUser } from '../accounts/accounts.service.js';
import { importParsedItem } from '../import/import.service.js';
import { findWorkBySlug, loadWorkDetail, loadWorkDetails } from './works.repository.js';
import { storePendingWorkLists } from './work-lists.js';
import { createName, renameName, updateWork } from './works.authoring.js';
import { mergeNames } from './merge.service.js';

const NOW = '2025-02-01T10:00:00.000Z';

async function seed(db: Db) {
  const admin = await createUser(db.kysely, { email: 'admin@example.org', name: 'Admin', role: 'admin', password: null }, { userId: null });
  const imported = await importParsedItem(
    db,
    makeItem(
      heroMask(),
      { score: { value: 2.5, max: 5 }, body: 'Stylish, and hollow.' },
    ),
    { author: 'Aiko Tanaka', now: () => NOW },
  );
  // A second work that shares nothing with the first, to see that a change clears only its own.
  const other = await importParsedItem(db, makeItem({ title: 'Other Work', credits: [{ role: 'director', name: 'Someone Else' }] }), { author: 'Aiko Tanaka', now: () => NOW });
  return { admin, slug: imported.work.slug, otherSlug: other.work.slug };
}

async function stored(db: Db, slug: string): Promise<string | null> {
  return (await findWorkBySlug(db.kysely, slug))!.listsJson;
}

/** The work as a page shows it, and as it is read from the lists' own tables. */
async function bothWays(db: Db, slug: string) {
  const id = (await findWorkBySlug(db.kysely, slug))!.id;
  return { page: await loadWorkDetail(db.kysely, id), tables: (await loadWorkDetails(db.kysely, [id]))[0] };
}

describe('stored work lists', () => {
  forEachDatabase((fresh) => {
    it('are stored for every work without them, and pages read the same work from them', async () => {
      const { db } = await fresh();
      const { slug, otherSlug } = await seed(db);
      expect(await stored(db, slug)).toBeNull();
      const before = await bothWays(db, slug);
      expect(before.page).toEqual(before.tables);

      expect(await storePendingWorkLists(db)).toBe(2);
      expect(await stored(db, slug)).not.toBeNull();
      expect(await stored(db, otherSlug)).not.toBeNull();
      const after = await bothWays(db, slug);
      expect(after.page).toEqual(before.tables);
      expect(after.page!.credits.map((c) => `${c.role} ${c.name}`)).toEqual(['director Hiroyasu Aoki', 'writer Hiroyasu Aoki', 'music Hisaki Kato']);
      expect(after.page!.altTitles).toEqual([{ title: 'ヒーローマスク', type: 'original' }]);
      expect(after.page!.externalIds).toEqual({ mal: '37521' });
      expect(await storePendingWorkLists(db)).toBe(0);
    });

    it('are cleared by any change to what they list, so pages never show an old name', async () => {
      const { db } = await fresh();
      const { admin, slug, otherSlug } = await seed(db);
      const changes: [string, () => Promise<unknown>, (w: NonNullable<Awaited<ReturnType<typeof bothWays>>['page']>) => unknown, unknown][] = [
        ['a person renamed', () => renameName(db, admin, 'people', 'hiroyasu-aoki', 'Hiroyasu Aoki-Sensei'), (w) => w.credits[0]!.name, 'Hiroyasu Aoki-Sensei'],
        ['a studio renamed', () => renameName(db, admin, 'studios', 'pierrot', 'Studio Pierrot'), (w) => w.studios.map((s) => s.name), ['Studio Pierrot']],
        ['a platform renamed', () => renameName(db, admin, 'platforms', 'netflix', 'Netflix Japan'), (w) => w.platforms.map((p) => p.name), ['Netflix Japan']],
        ['a credit added', () => updateWork(db, admin, slug, { credits: [{ role: 'director', name: 'Hiroyasu Aoki-Sensei' }, { role: 'writer', name: 'New Writer' }] }), (w) => w.credits.map((c) => c.role), ['director', 'writer']],
        ['titles and ids changed', () => updateWork(db, admin, slug, { altTitles: [{ title: 'The Masked Hero', type: 'english' }], externalIds: { anilist: '101348' } }), (w) => [w.altTitles, w.externalIds], [[{ title: 'The Masked Hero', type: 'english' }], { anilist: '101348' }]],
        ['tags changed', () => updateWork(db, admin, slug, { tags: ['Mystery', 'Police'] }), (w) => w.tags.map((t) => t.name), ['Mystery', 'Police']],
        ['a studio merged into another', async () => { await createName(db, admin, 'studios', 'Kept Studio'); await mergeNames(db, admin, 'studios', 'pierrot', 'kept-studio'); }, (w) => w.studios.map((s) => s.slug), ['kept-studio']],
      ];
      for (const [what, change, shown, expected] of changes) {
        await storePendingWorkLists(db);
        expect(await stored(db, slug), what).not.toBeNull();
        await change();
        expect(await stored(db, slug), `${what} clears the stored lists`).toBeNull();
        expect(shown((await bothWays(db, slug)).page!), what).toEqual(expected);
        await storePendingWorkLists(db);
        const { page, tables } = await bothWays(db, slug);
        expect(page, `${what}, stored again`).toEqual(tables);
        expect(shown(page!), what).toEqual(expected);
      }
      // None of those touched the other work.
      expect(await stored(db, otherSlug)).not.toBeNull();
    });

    it('stay when only its reviews change, and the page still shows the new score summary', async () => {
      const { db } = await fresh();
      const { slug } = await seed(db);
      await storePendingWorkLists(db);
      await importParsedItem(db, makeItem({ title: 'Hero ≠ Mask', year: 2018, studios: ['Pierrot'] }, { score: { value: 5, max: 5 }, body: 'Loved it.' }), { author: 'Ben Critic', now: () => NOW });
      expect(await stored(db, slug)).not.toBeNull();
      const { page, tables } = await bothWays(db, slug);
      expect(page).toEqual(tables);
      expect(page!.reviewCount).toBe(2);
      expect(page!.ratingCount).toBe(2);
    });
  });
});

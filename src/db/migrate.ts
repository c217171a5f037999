import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as initial from './migrations/2026-11-27T1200-initial.js';
import * as readIndexes from './migrations/2026-11-28T0100-read-indexes.js';
import * as reviewRenders from './migrations/2026-11-28T1200-review-renders.js';
import * as listsAndImports from './migrations/2026-11-29T1200-lists-and-imports.js';
import * as accounts from './migrations/2026-11-29T1800-accounts.js';
import * as uploads from './migrations/2026-11-29T2000-uploads.js';
import * as merges from './migrations/2026-11-30T0900-merges.js';
import * as nameAliases from './migrations/2026-11-30T1200-name-aliases.js';
import * as storedWorkLists from './migrations/2026-12-01T0900-stored-work-lists.js';
import * as reviewExcerpts from './migrations/2026-12-01T1000-review-excerpts.js';
import * as storedPages from './migrations/2026-12-02T0900-stored-pages.js';
import * as reviewsWithoutText from './migrations/2026-12-03T0900-reviews-without-text.js';

/** Every migration, by name. Names are timestamps, so order is the order of the list; only ever append. */
const migrations: Record<string, Migration> = {
  '2026-11-27T1200-initial': initial,
  '2026-11-28T0100-read-indexes': readIndexes,
  '2026-11-28T1200-review-renders': reviewRenders,
  '2026-11-29T1200-lists-and-imports': listsAndImports,
  '2026-11-29T1800-accounts': accounts,
  '2026-11-29T2000-uploads': uploads,
  '2026-11-30T0900-merges': merges,
  '2026-11-30T1200-name-aliases': nameAliases,
  '2026-12-01T0900-stored-work-lists': storedWorkLists,
  '2026-12-01T1000-review-excerpts': reviewExcerpts,
  '2026-12-02T0900-stored-pages': storedPages,
  '2026-12-03T0900-reviews-without-text': reviewsWithoutText,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider, migrationTableName: 'kansou_migrations', migrationLockTableName: 'kansou_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`Database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

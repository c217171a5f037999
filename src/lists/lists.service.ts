/**
 * Rules about list entries: one per author and work; an import brings it up to date with what
 * the source says, and leaves what the source does not know (a null field) as it was, so that a
 * Letterboxd diary and a MyAnimeList export of the same work complete each other.
 */
import type { WriteContext } from '../db/compiled.js';
import type { ParsedListEntry } from '../import/import.types.js';
import * as lists from './lists.repository.js';

export interface ListEntrySave {
  entryId: number;
  action: 'created' | 'updated' | 'unchanged';
  /** The entry as it was before an update (for undoing an import). */
  previous?: lists.ListEntryRow;
}

function merged(entry: ParsedListEntry, existing: lists.ListEntryRow | undefined, now: string): lists.ListEntryWrite {
  const tags = entry.tags.length > 0 || !existing ? JSON.stringify(entry.tags) : existing.tags;
  return {
    status: entry.status ?? existing?.status ?? null,
    progress: entry.progress ?? existing?.progress ?? null,
    startedOn: entry.startedOn ?? existing?.startedOn ?? null,
    finishedOn: entry.finishedOn ?? existing?.finishedOn ?? null,
    timesWatched: entry.timesWatched ?? existing?.timesWatched ?? null,
    tags,
    updatedAt: now,
  };
}

export async function saveListEntry(
  w: WriteContext,
  input: { authorId: number; workId: number; newWork: boolean; entry: ParsedListEntry; now: string },
): Promise<ListEntrySave> {
  const existing = input.newWork ? undefined : await lists.findListEntryIn(w, input.authorId, input.workId);
  const fields = merged(input.entry, existing, input.now);
  if (existing) {
    const same = (['status', 'progress', 'startedOn', 'finishedOn', 'timesWatched', 'tags'] as const).every((k) => fields[k] === existing[k]);
    if (same) return { entryId: existing.id, action: 'unchanged' };
    await lists.updateListEntryIn(w, existing.id, fields);
    return { entryId: existing.id, action: 'updated', previous: existing };
  }
  const entryId = await lists.insertListEntryIn(w, { ...fields, authorId: input.authorId, workId: input.workId, createdAt: input.now });
  return { entryId, action: 'created' };
}

/** `saveListEntry` for entries of works created in this transaction, many at once; their ids by work id. */
export async function createEntriesOfNewWorksIn(w: WriteContext, inputs: { authorId: number; workId: number; entry: ParsedListEntry; now: string }[]): Promise<Map<number, number>> {
  return lists.insertEntriesOfNewWorksIn(
    w,
    inputs.map((i) => ({ ...merged(i.entry, undefined, i.now), authorId: i.authorId, workId: i.workId, createdAt: i.now })),
  );
}

/**
 * The interchange (and backup) format: one JSON document holding everything.
 * These schemas are the validation on import, the TypeScript types, and the published
 * JSON Schema in docs/ (`npm run docs:schema` writes it; a test keeps the file current).
 *
 * Versions: 2 added works' `episodes`, reviews' `sources` and the `listEntries` section; 3
 * added `mergedFrom` to works, people, studios and platforms (what was merged into them, whose
 * old addresses and names lead to them). Version 1 and 2 documents (every backup made before)
 * are still read, with their record schemas kept below; they say nothing about what later
 * versions added.
 */
import Type, { type Static, type TProperties, type TSchema } from 'typebox';
import { LIST_STATUSES } from '../db/schema.js';
import { CREDIT_ROLES, WORK_KINDS } from '../import/import.types.js';

export const FORMAT_NAME = 'kansou';
export const FORMAT_VERSION = 3;
/** Every version this Kansou reads. */
export const READABLE_VERSIONS = [1, 2, 3] as const;
export type FormatVersion = (typeof READABLE_VERSIONS)[number];

const Slug = Type.String({ pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', maxLength: 200, description: 'Stable URL name' });
const Timestamp = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?Z$',
  description: 'ISO 8601 UTC date-time',
});
const Id = Type.Integer({ minimum: 1, description: 'Database id; kept on restore when free' });
const Name = Type.String({ minLength: 1, maxLength: 500 });
// `format` checks that the day exists (no 2024-02-30); the pattern says the shape to validators
// that treat `format` as a note only, as JSON Schema 2020-12 allows.
const Day = Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Calendar date, YYYY-MM-DD' });
const Count = Type.Integer({ minimum: 0 });

/** The same properties without one: a version 1 record is its version 2 record minus what was added. */
function without<P extends TProperties, K extends keyof P & string>(properties: P, key: K): Omit<P, K> {
  const { [key]: _dropped, ...rest } = properties;
  return rest;
}

const namedFields = { id: Id, slug: Slug, name: Name, createdAt: Timestamp };

/** A tag; and, in version 1 and 2 documents, a person, studio or platform. */
export const NamedRecord = Type.Object(namedFields, { additionalProperties: false });

/** A record merged into another: its old address answers 301 with the survivor's. */
const MergedWork = Type.Object({ slug: Slug, mergedAt: Timestamp }, { additionalProperties: false });
const MergedName = Type.Object(
  {
    slug: Slug,
    name: Type.Union([Name, Type.Null()], { description: 'Its name, which leads to the survivor from then on; null for merges made before names were kept' }),
    mergedAt: Timestamp,
  },
  { additionalProperties: false },
);

/** A person, studio or platform, with what was merged into it (in slug order). */
export const MergeableRecord = Type.Object(
  { ...namedFields, mergedFrom: Type.Array(MergedName, { description: 'Records merged into this one, in slug order' }) },
  { additionalProperties: false },
);

export const AuthorRecord = Type.Object(
  { id: Id, slug: Slug, name: Name, bio: Type.Union([Type.String({ maxLength: 20000 }), Type.Null()]), createdAt: Timestamp },
  { additionalProperties: false },
);

const workFields = {
  id: Id,
  slug: Slug,
  title: Name,
  altTitles: Type.Array(
    Type.Object({ title: Name, type: Type.Union([Type.Literal('original'), Type.Literal('romaji'), Type.Literal('english'), Type.Literal('other')]) }, { additionalProperties: false }),
  ),
  kind: Type.Union([...WORK_KINDS.map((k) => Type.Literal(k)), Type.Null()]),
  year: Type.Union([Type.Integer({ minimum: 1850, maximum: 2200 }), Type.Null()]),
  episodes: Type.Union([Count, Type.Null()], { description: 'Episode count; null when unknown' }),
  synopsis: Type.Union([Type.String({ maxLength: 20000 }), Type.Null()]),
  externalIds: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]*$' }), Type.String({ minLength: 1, maxLength: 200 })),
  credits: Type.Array(
    Type.Object({ role: Type.Union(CREDIT_ROLES.map((r) => Type.Literal(r))), person: Slug }, { additionalProperties: false }),
  ),
  studios: Type.Array(Slug),
  platforms: Type.Array(Slug),
  tags: Type.Array(Slug),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};

export const WorkRecord = Type.Object(
  { ...workFields, mergedFrom: Type.Array(MergedWork, { description: 'Works merged into this one, in slug order' }) },
  { additionalProperties: false },
);
export const WorkRecordV2 = Type.Object(workFields, { additionalProperties: false });
export const WorkRecordV1 = Type.Object(without(workFields, 'episodes'), { additionalProperties: false });

export const ScoreSchema = Type.Object(
  {
    value: Type.Number({ minimum: 0, description: 'The score as written' }),
    max: Type.Number({ exclusiveMinimum: 0, description: 'The top of the scale: 5, 10, 100…' }),
  },
  { additionalProperties: false },
);

/** An address the review had on a site it was imported from; requests for `path` redirect to it. */
export const ReviewSource = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', maxLength: 10000, description: 'The old address' }),
    path: Type.String({ pattern: '^/', maxLength: 10000, description: "The address's path and query, as a request for it arrives" }),
  },
  { additionalProperties: false },
);

const reviewFields = {
  id: Id,
  work: Slug,
  author: Slug,
  status: Type.Union([Type.Literal('draft'), Type.Literal('published')]),
  headline: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
  summary: Type.Union([Type.String({ maxLength: 5000 }), Type.Null()]),
  body: Type.String({ maxLength: 1_000_000, description: 'Markdown; spoilers as ||…|| or ::: spoiler blocks' }),
  score: Type.Union([ScoreSchema, Type.Null()]),
  scoreText: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
  rating: Type.Union([Type.Integer({ minimum: 0, maximum: 100 }), Type.Null()]),
  hasSpoilers: Type.Boolean(),
  publishedAt: Type.Union([Timestamp, Type.Null()]),
  sources: Type.Array(ReviewSource, { description: 'Old addresses, in address order' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};

export const ReviewRecord = Type.Object(reviewFields, { additionalProperties: false });
export const ReviewRecordV1 = Type.Object(without(reviewFields, 'sources'), { additionalProperties: false });

/** One author's record of a work apart from any review; one per author and work. */
export const ListEntryRecord = Type.Object(
  {
    id: Id,
    work: Slug,
    author: Slug,
    // An enum rather than a union of literals: TypeBox types a union mapped from a list as `never`.
    status: Type.Union([Type.Enum(LIST_STATUSES), Type.Null()]),
    progress: Type.Union([Count, Type.Null()], { description: 'Episodes watched' }),
    startedOn: Type.Union([Day, Type.Null()]),
    finishedOn: Type.Union([Day, Type.Null()]),
    timesWatched: Type.Union([Count, Type.Null()]),
    tags: Type.Array(Name, { description: "The author's own tags for the entry, as written" }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { additionalProperties: false },
);

export type NamedRecord = Static<typeof NamedRecord>;
export type MergeableRecord = Static<typeof MergeableRecord>;
export type WorkRecordV2 = Static<typeof WorkRecordV2>;
export type AuthorRecord = Static<typeof AuthorRecord>;
export type WorkRecord = Static<typeof WorkRecord>;
export type ReviewRecord = Static<typeof ReviewRecord>;
export type ReviewSource = Static<typeof ReviewSource>;
export type ListEntryRecord = Static<typeof ListEntryRecord>;
export type WorkRecordV1 = Static<typeof WorkRecordV1>;
export type ReviewRecordV1 = Static<typeof ReviewRecordV1>;

/** Sections in the order they appear in a document, each referring only to those before it. */
export const SECTIONS = {
  authors: AuthorRecord,
  people: MergeableRecord,
  studios: MergeableRecord,
  platforms: MergeableRecord,
  tags: NamedRecord,
  works: WorkRecord,
  reviews: ReviewRecord,
  listEntries: ListEntryRecord,
} as const;
export type SectionName = keyof typeof SECTIONS;

/** The sections of each readable version, in document order. */
export const SECTIONS_BY_VERSION = {
  1: {
    authors: AuthorRecord,
    people: NamedRecord,
    studios: NamedRecord,
    platforms: NamedRecord,
    tags: NamedRecord,
    works: WorkRecordV1,
    reviews: ReviewRecordV1,
  },
  2: {
    authors: AuthorRecord,
    people: NamedRecord,
    studios: NamedRecord,
    platforms: NamedRecord,
    tags: NamedRecord,
    works: WorkRecordV2,
    reviews: ReviewRecord,
    listEntries: ListEntryRecord,
  },
  3: SECTIONS,
} as const satisfies Record<FormatVersion, Partial<Record<SectionName, TSchema>>>;

export const InterchangeDocument = Type.Object(
  {
    format: Type.Literal(FORMAT_NAME),
    version: Type.Literal(FORMAT_VERSION),
    authors: Type.Array(AuthorRecord),
    people: Type.Array(MergeableRecord),
    studios: Type.Array(MergeableRecord),
    platforms: Type.Array(MergeableRecord),
    tags: Type.Array(NamedRecord),
    works: Type.Array(WorkRecord),
    reviews: Type.Array(ReviewRecord),
    listEntries: Type.Array(ListEntryRecord),
  },
  {
    title: `Kansou interchange document, version ${FORMAT_VERSION}`,
    additionalProperties: false,
  },
);

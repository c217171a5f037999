/**
 * The interchange (and backup) format: one JSON document holding everything.
 * These schemas are the validation on import, the TypeScript types, and the published
 * JSON Schema in docs/ (`npm run docs:schema` writes it; a test keeps the file current).
 */
import Type, { type Static } from 'typebox';
import { CREDIT_ROLES, WORK_KINDS } from '../import/import.types.js';

export const FORMAT_NAME = 'kansou';
export const FORMAT_VERSION = 1;

const Slug = Type.String({ pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', maxLength: 200, description: 'Stable URL name' });
const Timestamp = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?Z$',
  description: 'ISO 8601 UTC date-time',
});
const Id = Type.Integer({ minimum: 1, description: 'Database id; kept on restore when free' });
const Name = Type.String({ minLength: 1, maxLength: 500 });

export const NamedRecord = Type.Object(
  { id: Id, slug: Slug, name: Name, createdAt: Timestamp },
  { additionalProperties: false },
);

export const AuthorRecord = Type.Object(
  { id: Id, slug: Slug, name: Name, bio: Type.Union([Type.String({ maxLength: 20000 }), Type.Null()]), createdAt: Timestamp },
  { additionalProperties: false },
);

export const WorkRecord = Type.Object(
  {
    id: Id,
    slug: Slug,
    title: Name,
    altTitles: Type.Array(
      Type.Object({ title: Name, type: Type.Union([Type.Literal('original'), Type.Literal('romaji'), Type.Literal('english'), Type.Literal('other')]) }, { additionalProperties: false }),
    ),
    kind: Type.Union([...WORK_KINDS.map((k) => Type.Literal(k)), Type.Null()]),
    year: Type.Union([Type.Integer({ minimum: 1850, maximum: 2200 }), Type.Null()]),
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
  },
  { additionalProperties: false },
);

export const ScoreSchema = Type.Object(
  {
    value: Type.Number({ minimum: 0, description: 'The score as written' }),
    max: Type.Number({ exclusiveMinimum: 0, description: 'The top of the scale: 5, 10, 100…' }),
  },
  { additionalProperties: false },
);

export const ReviewRecord = Type.Object(
  {
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
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { additionalProperties: false },
);

export type NamedRecord = Static<typeof NamedRecord>;
export type AuthorRecord = Static<typeof AuthorRecord>;
export type WorkRecord = Static<typeof WorkRecord>;
export type ReviewRecord = Static<typeof ReviewRecord>;

/** Sections in the order they appear in a document, each referring only to those before it. */
export const SECTIONS = {
  authors: AuthorRecord,
  people: NamedRecord,
  studios: NamedRecord,
  platforms: NamedRecord,
  tags: NamedRecord,
  works: WorkRecord,
  reviews: ReviewRecord,
} as const;
export type SectionName = keyof typeof SECTIONS;

export const InterchangeDocument = Type.Object(
  {
    format: Type.Literal(FORMAT_NAME),
    version: Type.Literal(FORMAT_VERSION),
    authors: Type.Array(AuthorRecord),
    people: Type.Array(NamedRecord),
    studios: Type.Array(NamedRecord),
    platforms: Type.Array(NamedRecord),
    tags: Type.Array(NamedRecord),
    works: Type.Array(WorkRecord),
    reviews: Type.Array(ReviewRecord),
  },
  {
    title: 'Kansou interchange document, version 1',
    additionalProperties: false,
  },
);

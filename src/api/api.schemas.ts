/**
 * Shapes of what the API returns and accepts. Each schema is the response serializer,
 * the validation, and (with the authoring issue) the OpenAPI document.
 */
import Type, { type Static } from 'typebox';

const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const NamedLink = Type.Object({ name: Type.String(), slug: Type.String(), url: Type.String() });

export const ScoreSummary = Type.Object({
  reviewCount: Type.Integer({ description: 'Published reviews' }),
  ratingCount: Type.Integer({ description: 'Published reviews with a score' }),
  mean: Nullable(Type.Number({ description: 'Mean rating, 0–100, one decimal' })),
  outOf5: Nullable(Type.Number({ description: 'Mean rating on the 5-star scale, two decimals' })),
  distribution: Type.Array(Type.Object({ stars: Type.Number(), count: Type.Integer() }), { description: 'Half-star buckets' }),
});

export const Work = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  url: Type.String(),
  title: Type.String(),
  altTitles: Type.Array(Type.Object({ title: Type.String(), type: Type.String() })),
  kind: Nullable(Type.String()),
  year: Nullable(Type.Integer()),
  synopsis: Nullable(Type.String()),
  credits: Type.Array(Type.Object({ role: Type.String(), name: Type.String(), slug: Type.String(), url: Type.String() })),
  studios: Type.Array(NamedLink),
  platforms: Type.Array(NamedLink),
  tags: Type.Array(NamedLink),
  externalIds: Type.Record(Type.String(), Type.String()),
  score: ScoreSummary,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const Score = Type.Object({ value: Type.Number(), max: Type.Number() });

const reviewFields = {
  id: Type.Integer(),
  url: Type.String(),
  work: Type.String({ description: 'Slug of the work' }),
  workTitle: Type.String(),
  author: NamedLink,
  headline: Nullable(Type.String()),
  summary: Nullable(Type.String()),
  score: Nullable(Score),
  scoreText: Nullable(Type.String()),
  rating: Nullable(Type.Integer({ minimum: 0, maximum: 100 })),
  hasSpoilers: Type.Boolean(),
  publishedAt: Nullable(Type.String()),
  updatedAt: Type.String(),
};

export const ReviewSummary = Type.Object(reviewFields);
export const Review = Type.Object({ ...reviewFields, body: Type.String({ description: 'Markdown' }) });

const page = <T extends Type.TSchema>(item: T) => Type.Object({ items: Type.Array(item), next: Nullable(Type.String()) });
export const WorkPage = page(Work);
export const ReviewPage = page(ReviewSummary);

export const ErrorBody = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });

export const ListQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
};

export const WorksQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })), ...ListQuery }, { additionalProperties: false });
export const ReviewsQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    work: Type.Optional(Type.String({ maxLength: 200 })),
    author: Type.Optional(Type.String({ maxLength: 200 })),
    ...ListQuery,
  },
  { additionalProperties: false },
);

export type WorkJson = Static<typeof Work>;
export type ReviewJson = Static<typeof Review>;
export type ReviewSummaryJson = Static<typeof ReviewSummary>;

// ── What the write API accepts ───────────────────────────────────────────────────────────
// Every body is `additionalProperties: false`: a field the route does not take (author, id,
// role, rating, createdAt…) is a 400 naming it, never silently written or ignored.
// Nullable inputs use a type list (`["string", "null"]`) rather than `anyOf`: with the app's
// type coercion, `anyOf [string, null]` would turn a null into "".

/** `schema` or null, as one JSON Schema type list. */
const OrNull = <T extends Type.TSchema & { type: string }>(schema: T) =>
  Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });

const ScoreInput = Type.Object(
  {
    value: Type.Number({ minimum: 0, maximum: 100, description: 'The score on its scale: whole or half points out of 5, one decimal out of 10, whole points out of 100' }),
    max: Type.Integer({ enum: [5, 10, 100], description: 'The scale: 5, 10 or 100' }),
  },
  { additionalProperties: false },
);

const reviewInputFields = {
  score: Type.Optional(OrNull(ScoreInput)),
  headline: Type.Optional(OrNull(Type.String({ maxLength: 1000 }))),
  summary: Type.Optional(OrNull(Type.String({ maxLength: 4000 }))),
  body: Type.String({ minLength: 1, maxLength: 200_000, description: 'Markdown; spoilers as ||inline|| or ::: spoiler blocks' }),
  status: Type.Optional(Type.String({ enum: ['draft', 'published'], description: 'Default: draft' })),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 30, description: 'Tags added to the work (never removed from it)' })),
  hasSpoilers: Type.Optional(Type.Boolean({ description: 'Default: whether the body holds spoiler markup' })),
};

export const ReviewCreate = Type.Object(
  { work: Type.String({ minLength: 1, maxLength: 200, description: 'Slug of the work reviewed' }), ...reviewInputFields },
  { additionalProperties: false, description: 'The author is always the token’s owner.' },
);

export const ReviewUpdate = Type.Object(
  {
    score: reviewInputFields.score,
    headline: reviewInputFields.headline,
    summary: reviewInputFields.summary,
    body: Type.Optional(reviewInputFields.body),
    status: reviewInputFields.status,
    tags: reviewInputFields.tags,
    hasSpoilers: reviewInputFields.hasSpoilers,
  },
  { additionalProperties: false, description: 'Only the fields given change.' },
);

/** A review with its status, for its author (drafts included). */
export const OwnReview = Type.Object({ ...Review.properties, status: Type.String({ enum: ['draft', 'published'] }) });

const NameInput = Type.String({ minLength: 1, maxLength: 300 });

const workInputFields = {
  title: NameInput,
  kind: Type.Optional(OrNull(Type.String({ enum: ['anime_series', 'anime_film', 'ova', 'ona', 'special', 'series', 'film', 'other'] }))),
  year: Type.Optional(OrNull(Type.Integer({ minimum: 1870, maximum: 2100 }))),
  synopsis: Type.Optional(OrNull(Type.String({ maxLength: 20_000 }))),
  altTitles: Type.Optional(
    Type.Array(
      Type.Object({ title: NameInput, type: Type.Optional(Type.String({ enum: ['original', 'romaji', 'english', 'other'] })) }, { additionalProperties: false }),
      { maxItems: 50 },
    ),
  ),
  credits: Type.Optional(
    Type.Array(
      Type.Object(
        {
          role: Type.String({ enum: ['director', 'writer', 'music', 'original_creator', 'character_design', 'animation_director', 'producer', 'cast'] }),
          name: NameInput,
        },
        { additionalProperties: false },
      ),
      { maxItems: 200 },
    ),
  ),
  studios: Type.Optional(Type.Array(NameInput, { maxItems: 50 })),
  platforms: Type.Optional(Type.Array(NameInput, { maxItems: 50 })),
  tags: Type.Optional(Type.Array(NameInput, { maxItems: 50 })),
  externalIds: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,29}$' }), Type.String({ minLength: 1, maxLength: 200 }), { description: 'e.g. { "mal": "37521" }' })),
};

export const WorkCreate = Type.Object(
  {
    ...workInputFields,
    force: Type.Optional(Type.Boolean({ description: 'Add the work even if one of the same title and year exists (409 otherwise)' })),
  },
  { additionalProperties: false },
);

export const WorkUpdate = Type.Object(
  { ...workInputFields, title: Type.Optional(NameInput) },
  { additionalProperties: false, description: 'The fields given replace what the work had (lists whole); the slug never changes.' },
);

export const NameCreate = Type.Object({ name: NameInput }, { additionalProperties: false });
export const NameUpdate = NameCreate;
export const NamedRecord = Type.Object({ id: Type.Integer(), name: Type.String(), slug: Type.String(), url: Type.String() });

export const Me = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  name: Type.String(),
  role: Type.String({ enum: ['admin', 'editor', 'author', 'reader'] }),
  authorId: Nullable(Type.Integer({ description: 'The author this account writes as' })),
  reviewScale: Type.Integer(),
  disabled: Type.Boolean(),
  createdAt: Type.String(),
});

export const MeUpdate = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), reviewScale: Type.Optional(Type.Integer({ enum: [5, 10, 100] })) },
  { additionalProperties: false, description: 'Only one’s name and default scale; never one’s role.' },
);

export type OwnReviewJson = Static<typeof OwnReview>;

/** A review's earlier versions: what its fields were before each edit. */
export const RevisionList = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.Integer(),
      editedAt: Type.String({ format: 'date-time' }),
      editedBy: Type.Union([Type.Integer(), Type.Null()], { description: 'The user who made the edit' }),
      previous: Type.Object({
        status: Type.Union([Type.String(), Type.Null()]),
        headline: Type.Union([Type.String(), Type.Null()]),
        summary: Type.Union([Type.String(), Type.Null()]),
        body: Type.Union([Type.String(), Type.Null()]),
        score: Type.Union([Type.Object({ value: Type.Number(), max: Type.Integer() }), Type.Null()]),
        updatedAt: Type.Union([Type.String(), Type.Null()]),
      }),
    }),
  ),
});

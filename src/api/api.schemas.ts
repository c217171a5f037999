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

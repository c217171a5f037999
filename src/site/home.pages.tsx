/**
 * The home page: the latest reviews, the best-rated works, ways to browse.
 */
import type { Site } from './site.context.js';
import { Layout } from './layout.js';
import { ReviewCard, WorkCard, type ReviewCardData } from './components.js';
import { bodyExcerpt } from './markdown.js';
import { listPublishedReviewsPage, type ReviewListing } from '../reviews/reviews.repository.js';
import { topRatedWorks } from '../browse/browse.service.js';
import { urls } from '../shared/urls.js';

/** A review as listings show it: the excerpt is spoiler-free plain text. */
export function reviewCardData(r: ReviewListing, excerptLength = 240): ReviewCardData {
  return { ...r, excerpt: bodyExcerpt(r, excerptLength) };
}

export async function homePage(site: Site) {
  const [latest, top] = await Promise.all([listPublishedReviewsPage(site.db.kysely, { limit: 12, offset: 0 }), topRatedWorks(site.db, 8)]);
  return (
    <Layout site={site} head={{ title: site.name, path: urls.home(), description: `The latest reviews of anime, series and films on ${site.name}.` }}>
      <h1 class="visually-hidden">{site.name}</h1>
      <div class="two-columns">
        <section aria-labelledby="latest-heading">
          <h2 id="latest-heading">Latest reviews</h2>
          {latest.length === 0 ? (
            <p class="muted">No reviews yet. Import some with <code>kansou import</code>.</p>
          ) : (
            <ul class="card-list">
              {latest.map((r) => (
                <li>
                  <ReviewCard review={reviewCardData(r)} />
                </li>
              ))}
            </ul>
          )}
        </section>
        <aside aria-labelledby="top-heading">
          <h2 id="top-heading">Top rated</h2>
          {top.length === 0 ? (
            <p class="muted">Nothing scored yet.</p>
          ) : (
            <ol class="card-list">
              {top.map((w) => (
                <li>
                  <WorkCard work={w} />
                </li>
              ))}
            </ol>
          )}
          <p>
            <a href={urls.browse()}>All rankings →</a>
          </p>
        </aside>
      </div>
    </Layout>
  );
}

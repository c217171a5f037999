/**
 * The author's pages: their reviews (drafts, published, recently deleted), the review form
 * (new, or editing one), its preview and a review's edit history. Private pages, never cached
 * and never indexed. Work without JavaScript; `write.js` adds the work search, the spoiler
 * button and the live preview.
 */
import type { ComponentChildren, VNode } from 'preact';
import { Csrf, Notice, Private as PrivatePage } from '../site/private.js';
import type { Site } from '../site/site.context.js';
import { DateText, KIND_LABELS, kindLabel, Score } from '../site/components.js';
import { urls } from '../shared/urls.js';
import { ReviewArticle, type ArticleReview } from '../reviews/reviews.pages.js';
import type { WorkDetail } from '../works/works.repository.js';
import { SCALES, type FieldErrors, type FormField, type ReviewFormValues } from './review.form.js';

export const writeUrls = {
  home: () => '/write',
  create: () => '/write/new',
  paste: () => '/write/paste',
  preview: () => '/write/preview',
  edit: (id: number) => `/write/${id}`,
  remove: (id: number) => `/write/${id}/delete`,
  restore: (id: number) => `/write/${id}/restore`,
  history: (id: number) => `/write/${id}/history`,
  hide: (id: number) => `/write/${id}/hide`,
  unhide: (id: number) => `/write/${id}/unhide`,
};

function Private({ site, title, path, children }: { site: Site; title: string; path: string; children: ComponentChildren }) {
  return (
    <PrivatePage site={site} title={title} path={path} class={null} scripts={['write']}>
      {children}
    </PrivatePage>
  );
}

// ---- the author's reviews

export interface OwnReview {
  id: number;
  status: 'draft' | 'published';
  headline: string | null;
  workTitle: string;
  workSlug: string;
  scoreValue: number | null;
  scoreMax: number | null;
  rating: number | null;
  updatedAt: string;
}

export interface DeletedReview {
  reviewId: number;
  workTitle: string;
  headline: string | null;
  deletedAt: string;
}

export function writeHomePage(site: Site, data: { name: string; reviews: OwnReview[]; deleted: DeletedReview[]; csrf: string; notice?: string }): VNode {
  const drafts = data.reviews.filter((r) => r.status === 'draft');
  const published = data.reviews.filter((r) => r.status === 'published');
  const table = (rows: OwnReview[], caption: string) => (
    <table class="data-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Review</th>
          <th scope="col">Score</th>
          <th scope="col">Last changed</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            <td>
              <a href={writeUrls.edit(r.id)}>{r.headline ?? `Review of ${r.workTitle}`}</a>
              <span class="muted"> — {r.workTitle}</span>
              {r.status === 'published' && (
                <>
                  {' '}
                  (<a href={urls.review(r.id)}>view</a>)
                </>
              )}
            </td>
            <td>
              <Score review={r} size="small" />
            </td>
            <td>
              <DateText iso={r.updatedAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <Private site={site} title="Your reviews" path={writeUrls.home()}>
      <div class="page-narrow">
        <h1>Your reviews</h1>
        <Notice text={data.notice} />
        <p>
          <a class="button" href={writeUrls.create()}>
            Write a review
          </a>{' '}
          <a href="/import">Import files</a> (review files, or your list from MyAnimeList, Letterboxd, AniList, a blog…) · <a href="/import/runs">Your imports</a>
        </p>
        {drafts.length > 0 && table(drafts, `Drafts (${drafts.length})`)}
        {published.length > 0 ? table(published, `Published (${published.length})`) : <p>You have not published a review yet.</p>}
        {data.deleted.length > 0 && (
          <section aria-labelledby="deleted-heading">
            <h2 id="deleted-heading">Deleted in the last 30 days</h2>
            <ul class="plain-list">
              {data.deleted.map((d) => (
                <li>
                  {d.headline ?? `Review of ${d.workTitle}`} <span class="muted">— {d.workTitle}, deleted <DateText iso={d.deletedAt} /></span>{' '}
                  <form method="post" action={writeUrls.restore(d.reviewId)} class="inline-form">
                    <Csrf token={data.csrf} />
                    <button type="submit">Restore</button>
                  </form>
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
    </Private>
  );
}

// ---- the form

function describedBy(field: FormField, errors: FieldErrors, hint?: boolean): string | undefined {
  const ids = [errors[field] ? `${field}-error` : '', hint ? `${field}-hint` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function FieldError({ field, errors }: { field: FormField; errors: FieldErrors }) {
  const message = errors[field];
  return message ? (
    <p class="field-error" id={`${field}-error`}>
      {message}
    </p>
  ) : null;
}

function TextField(props: { field: FormField; label: string; values: ReviewFormValues; errors: FieldErrors; hint?: string; maxLength?: number; inputMode?: string; list?: string; autoComplete?: string }) {
  const { field, label, values, errors, hint } = props;
  return (
    <div class={`field${errors[field] ? ' has-error' : ''}`}>
      <label for={`f-${field}`}>{label}</label>
      {hint && (
        <p class="field-hint" id={`${field}-hint`}>
          {hint}
        </p>
      )}
      <input
        id={`f-${field}`}
        name={field}
        type="text"
        value={values[field]}
        maxLength={props.maxLength ?? 300}
        inputMode={props.inputMode as 'decimal' | undefined}
        list={props.list}
        autoComplete={props.autoComplete ?? 'off'}
        aria-invalid={errors[field] ? 'true' : undefined}
        aria-describedby={describedBy(field, errors, Boolean(hint))}
      />
      <FieldError field={field} errors={errors} />
    </div>
  );
}

export interface DuplicateCandidate {
  slug: string;
  title: string;
  year: number | null;
  kind: string | null;
}

export interface ReviewFormPage {
  /** undefined for a new review. */
  review?: { id: number; status: 'draft' | 'published' };
  values: ReviewFormValues;
  errors: FieldErrors;
  /** The picked work, shown by name. */
  work?: { slug: string; title: string; year: number | null };
  /** Works the new one may duplicate: the author confirms it is another work, or picks one. */
  duplicates?: DuplicateCandidate[];
  /** What parsing a pasted review guessed or dropped. */
  warnings?: string[];
  /** The review as it would be published (a preview request). */
  preview?: { review: ArticleReview; work: WorkDetail };
  csrf: string;
  notice?: string;
  /** Why an editor hid the review, if one did. */
  moderation?: { reason: string; hiddenAt: string; hiddenByName: string | null };
  /** The user may hide and unhide reviews (editors, admins). */
  canModerate?: boolean;
}

const SCALE_LABELS: Record<number, string> = { 5: 'out of 5 (half stars)', 10: 'out of 10', 100: 'out of 100' };

export function reviewFormPage(site: Site, page: ReviewFormPage): VNode {
  const { values, errors, review } = page;
  const title = review ? 'Edit your review' : 'Write a review';
  const action = review ? writeUrls.edit(review.id) : writeUrls.create();
  const errorCount = Object.keys(errors).length;
  return (
    <Private site={site} title={title} path={action}>
      <div class="page-narrow write-page">
        <h1>{title}</h1>
        <Notice text={page.notice} />
        {errorCount > 0 && (
          <div class="form-errors" role="alert">
            <p>
              <strong>{errorCount === 1 ? 'One thing needs fixing' : `${errorCount} things need fixing`}</strong> — nothing was saved.
            </p>
            {errors.form && <p>{errors.form}</p>}
          </div>
        )}
        {page.moderation && (
          <div class="form-errors" role="status">
            <p>
              <strong>Hidden from readers</strong>
              {page.moderation.hiddenByName && <> by {page.moderation.hiddenByName}</>} on <DateText iso={page.moderation.hiddenAt} />: “{page.moderation.reason}”
            </p>
            <p>It stays a draft until an editor shows it again.</p>
          </div>
        )}
        {page.warnings && page.warnings.length > 0 && (
          <div class="notice" role="status">
            <p>Read from the pasted text — check before saving:</p>
            <ul>
              {page.warnings.map((w) => (
                <li>{w}</li>
              ))}
            </ul>
          </div>
        )}
        {page.preview && (
          <section class="preview" aria-labelledby="preview-heading">
            <h2 id="preview-heading" class="preview-label">
              Preview — as readers will see it. Not saved yet.
            </h2>
            <ReviewArticle review={page.preview.review} work={page.preview.work} />
          </section>
        )}

        {!review && (
          <details class="paste-box" open={!values.body && !values.title && !values.work}>
            <summary>Paste a whole review to fill in the form</summary>
            <form method="post" action={writeUrls.paste()}>
              <Csrf token={page.csrf} />
              <label for="f-paste">The review as you wrote it: title first, then the text, with lines such as “Director: …” and “Final Score: 4 out of 5” before or after it</label>
              <textarea id="f-paste" name="paste" rows={8} maxLength={200_000} />
              <button type="submit">Fill in the form</button>
            </form>
          </details>
        )}

        <form method="post" action={action} class="review-form" novalidate>
          <Csrf token={page.csrf} />
          <fieldset>
            <legend>The work</legend>
            {page.work ? (
              <p>
                Reviewing <a href={urls.work(page.work.slug)}>{page.work.title}</a>
                {page.work.year !== null && <> ({page.work.year})</>}
                {page.canModerate && (
                  <>
                    {' · '}
                    <a href={`/edit/works/${page.work.slug}`}>edit or merge the work</a>
                  </>
                )}
                <input type="hidden" name="work" value={page.work.slug} />
              </p>
            ) : (
              <>
                <TextField
                  field="work"
                  label="Work"
                  hint="Its title, or its address on this site (the part after /works/). Leave empty to add a new work below."
                  values={values}
                  errors={errors}
                  list="work-suggestions"
                />
                <datalist id="work-suggestions" />
                {page.duplicates && page.duplicates.length > 0 && (
                  <div class="duplicates" role="alert">
                    <p>
                      <strong>This may already be here.</strong> Pick one of these, or confirm that yours is a different work:
                    </p>
                    <ul>
                      {page.duplicates.map((d) => (
                        <li>
                          <label>
                            <input type="radio" name="work" value={d.slug} /> {d.title}
                            {d.year !== null && ` (${d.year})`}, {kindLabel(d.kind)}
                          </label>
                        </li>
                      ))}
                    </ul>
                    <label>
                      <input type="checkbox" name="different_work" value="1" /> It is a different work: add it
                    </label>
                  </div>
                )}
                <details class="new-work" open={Boolean(values.title) || Boolean(errors.title || errors.year || errors.kind)}>
                  <summary>Not here yet? Add the work</summary>
                  <TextField field="title" label="Title" values={values} errors={errors} />
                  <div class="field-row">
                    <div class={`field${errors.kind ? ' has-error' : ''}`}>
                      <label for="f-kind">Kind</label>
                      <select id="f-kind" name="kind" aria-invalid={errors.kind ? 'true' : undefined} aria-describedby={describedBy('kind', errors)}>
                        <option value="">Unknown</option>
                        {Object.entries(KIND_LABELS).map(([value, label]) => (
                          <option value={value} selected={values.kind === value}>
                            {label}
                          </option>
                        ))}
                      </select>
                      <FieldError field="kind" errors={errors} />
                    </div>
                    <TextField field="year" label="Year" values={values} errors={errors} inputMode="numeric" maxLength={4} />
                  </div>
                  <TextField field="director" label="Director" hint="Several names: separate them with commas." values={values} errors={errors} />
                  <TextField field="writer" label="Writer" values={values} errors={errors} />
                  <TextField field="music" label="Music" values={values} errors={errors} />
                  <TextField field="studios" label="Studio" values={values} errors={errors} />
                  <TextField field="platforms" label="Where to watch" hint="Crunchyroll, Netflix…" values={values} errors={errors} />
                </details>
              </>
            )}
          </fieldset>

          <fieldset>
            <legend>Your review</legend>
            <div class="field-row">
              <TextField field="score" label="Score" hint="Empty for no score." values={values} errors={errors} inputMode="decimal" maxLength={6} />
              <div class={`field${errors.scale ? ' has-error' : ''}`}>
                <label for="f-scale">Scale</label>
                <select id="f-scale" name="scale" aria-describedby={describedBy('scale', errors)}>
                  {SCALES.map((s) => (
                    <option value={String(s)} selected={values.scale === String(s)}>
                      {SCALE_LABELS[s]}
                    </option>
                  ))}
                </select>
                <FieldError field="scale" errors={errors} />
              </div>
            </div>
            <TextField field="headline" label="Headline" values={values} errors={errors} maxLength={200} />
            <TextField field="summary" label="TL;DR (optional)" values={values} errors={errors} maxLength={500} />
            <div class={`field${errors.body ? ' has-error' : ''}`}>
              <label for="f-body">Review</label>
              <p class="field-hint" id="body-hint">
                Markdown. Hide a spoiler inline with <code>||the twist||</code>, or a whole passage between <code>::: spoiler</code> and <code>:::</code> lines.
              </p>
              <div class="editor-toolbar" data-for="f-body" hidden>
                <button type="button" data-wrap="spoiler">
                  Mark as spoiler
                </button>
              </div>
              <textarea
                id="f-body"
                name="body"
                rows={18}
                maxLength={200_000}
                aria-invalid={errors.body ? 'true' : undefined}
                aria-describedby={describedBy('body', errors, true)}
              >
                {values.body}
              </textarea>
              <FieldError field="body" errors={errors} />
            </div>
            <TextField field="tags" label="Tags" hint="Separated by commas." values={values} errors={errors} />
          </fieldset>

          <section class="live-preview" aria-labelledby="live-preview-heading" hidden>
            <h2 id="live-preview-heading">Live preview</h2>
            <div class="prose" aria-live="polite" />
          </section>

          <div class="form-actions">
            <button type="submit" name="intent" value="preview">
              Preview
            </button>
            <button type="submit" name="intent" value="draft">
              {review?.status === 'published' ? 'Save and unpublish' : 'Save draft'}
            </button>
            <button type="submit" name="intent" value="publish" class="primary">
              {review?.status === 'published' ? 'Update' : 'Publish'}
            </button>
          </div>
        </form>

        {review && (
          <div class="danger-zone">
            <p>
              <a href={writeUrls.history(review.id)}>Edit history</a>
            </p>
            <form method="post" action={writeUrls.remove(review.id)}>
              <Csrf token={page.csrf} />
              <button type="submit" class="danger">
                Delete this review
              </button>{' '}
              <span class="muted">It can be restored for 30 days from your reviews page.</span>
            </form>
            {page.canModerate &&
              (page.moderation ? (
                <form method="post" action={writeUrls.unhide(review.id)}>
                  <Csrf token={page.csrf} />
                  <button type="submit">Show to readers again</button>
                </form>
              ) : (
                <form method="post" action={writeUrls.hide(review.id)} class="moderation-form">
                  <Csrf token={page.csrf} />
                  <label for="f-reason">Hide from readers, because…</label>
                  <input id="f-reason" name="reason" type="text" maxLength={500} required />
                  <button type="submit" class="danger">
                    Hide
                  </button>
                </form>
              ))}
          </div>
        )}
      </div>
    </Private>
  );
}

// ---- edit history

export interface Revision {
  id: number;
  editedAt: string;
  editedBy: string | null;
  previous: { headline?: string | null; summary?: string | null; body?: string; scoreValue?: number | null; scoreMax?: number | null; status?: string };
}

export function historyPage(site: Site, data: { reviewId: number; title: string; revisions: Revision[] }): VNode {
  return (
    <Private site={site} title={`Edit history: ${data.title}`} path={writeUrls.history(data.reviewId)}>
      <div class="page-narrow">
        <h1>Edit history</h1>
        <p>
          <a href={writeUrls.edit(data.reviewId)}>Back to the review</a> · {data.title}
        </p>
        {data.revisions.length === 0 ? (
          <p>This review has not been edited since it was written.</p>
        ) : (
          <ol class="revisions" reversed>
            {data.revisions.map((r) => (
              <li>
                <details>
                  <summary>
                    Before the edit of <DateText iso={r.editedAt} /> at {r.editedAt.slice(11, 16)} UTC{r.editedBy ? ` by ${r.editedBy}` : ''}
                  </summary>
                  <dl>
                    <dt>Status</dt>
                    <dd>{r.previous.status ?? '—'}</dd>
                    <dt>Score</dt>
                    <dd>{r.previous.scoreValue != null && r.previous.scoreMax != null ? `${r.previous.scoreValue} out of ${r.previous.scoreMax}` : 'none'}</dd>
                    <dt>Headline</dt>
                    <dd>{r.previous.headline ?? '—'}</dd>
                    <dt>TL;DR</dt>
                    <dd>{r.previous.summary ?? '—'}</dd>
                  </dl>
                  <pre class="revision-body">{r.previous.body ?? ''}</pre>
                </details>
              </li>
            ))}
          </ol>
        )}
      </div>
    </Private>
  );
}

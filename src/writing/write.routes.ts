/**
 * Writing in the browser: the author's reviews, the review form (new and edit), pasting a
 * plain-text review into it, preview, publishing, unpublishing, deleting and restoring, and the
 * edit history. Every answer is private; every form is checked against cross-site requests;
 * a form that fails comes back with the messages beside the fields and everything typed kept.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import type { VNode } from 'preact';
import type { Site } from '../site/site.context.js';
import { registerSecurityHeaders, sendPage } from '../site/http.js';
import { can } from '../accounts/permissions.js';
import { AppError } from '../shared/errors.js';
import { formSession as formSessionOf, pageSession } from '../accounts/auth.http.js';
import type { CurrentSession } from '../accounts/accounts.service.js';
import { createReview, deleteReview, hideReview, moderationOf, restoreReview, unhideReview, updateReview } from '../reviews/authoring.service.js';
import { createWork } from '../works/works.authoring.js';
import { findWorkBySlug, findWorksByTitleKey, loadWorkDetails, type WorkDetail } from '../works/works.repository.js';
import { titleKey } from '../import/prepare.js';
import { renderReviewBody } from '../site/markdown.js';
import { ratingFromScore } from '../reviews/score.js';
import { withoutSpoilers } from '../reviews/spoilers.js';
import { urls } from '../shared/urls.js';
import { emptyForm, fieldErrors, formFromPaste, formFromReview, formScore, formTags, formWork, readForm, type ReviewFormValues } from './review.form.js';
import { historyPage, reviewFormPage, writeHomePage, writeUrls, type ReviewFormPage } from './write.pages.js';
import { likelyDuplicates, listOwnDeletedReviews, listOwnReviews, reviewForEditing, reviewHistory } from './writing.service.js';

type Body = Record<string, unknown>;
type Intent = 'preview' | 'draft' | 'publish';

const NOTICES: Record<string, string> = {
  draft: 'Draft saved. Only you can see it.',
  restored: 'Restored as it was when it was deleted.',
  unchanged: 'Nothing had changed.',
  hidden: 'Hidden from readers. Its author sees why.',
  unhidden: 'Shown to readers again, with the status it had.',
};

export async function writingRoutes(app: FastifyInstance, { site }: { site: Site }): Promise<void> {
  registerSecurityHeaders(app);
  await app.register(formbody);
  const db = site.db;
  const send = (reply: FastifyReply, page: VNode, status = 200) => sendPage(reply, page, status, { private: true });

  const WRITER = { action: 'review.create' as const, refusal: 'Your account reads, but does not write reviews. An admin can change that.' };
  /** The signed-in user who may write, or a redirect to the sign-in page (undefined: the reply is sent). */
  const signedIn = (request: FastifyRequest, reply: FastifyReply) => pageSession(db.kysely, request, reply, site.publicUrl, WRITER);
  /** A form's session, checked against CSRF; undefined when signed out (the page then keeps what was typed). */
  const formSession = (request: FastifyRequest) => formSessionOf(db.kysely, request, site.publicUrl, WRITER);

  const intentOf = (body: Body): Intent => (body.intent === 'preview' ? 'preview' : body.intent === 'publish' ? 'publish' : 'draft');
  const idOf = (request: FastifyRequest) => {
    const raw = (request.params as { id: string }).id;
    return /^[1-9]\d{0,9}$/.test(raw) && Number(raw) <= 2_147_483_647 ? Number(raw) : undefined;
  };

  // ---- the author's reviews

  app.get('/write', async (request, reply) => {
    const session = await signedIn(request, reply);
    if (!session) return reply;
    const query = request.query as Record<string, string | undefined>;
    const [reviews, deleted] = await Promise.all([listOwnReviews(db, session.user), listOwnDeletedReviews(db, session.user)]);
    const notice = query.deleted ? 'Review deleted. You can restore it below for 30 days.' : undefined;
    return send(reply, writeHomePage(site, { name: session.user.name, reviews, deleted, csrf: session.csrfToken, notice }));
  });

  // ---- a new review

  app.get('/write/new', async (request, reply) => {
    const session = await signedIn(request, reply);
    if (!session) return reply;
    const values = emptyForm(session.user.reviewScale);
    const slug = (request.query as Record<string, string | undefined>).work;
    const work = slug ? await findWorkBySlug(db.kysely, slug) : undefined;
    if (work) values.work = work.slug;
    return send(reply, reviewFormPage(site, { values, errors: {}, csrf: session.csrfToken, work: work && { slug: work.slug, title: work.title, year: work.year } }));
  });

  app.post('/write/paste', async (request, reply) => {
    const session = await formSession(request);
    const body = (request.body ?? {}) as Body;
    if (!session) return send(reply, reviewFormPage(site, { values: emptyForm(5), errors: { form: SIGNED_OUT }, csrf: '' }), 401);
    try {
      const { values, warnings } = formFromPaste(typeof body.paste === 'string' ? body.paste : '', session.user.reviewScale);
      // The work may be here already: then the review is of that one (the author can still change it).
      const found = await findWorksByTitleKey(db.kysely, titleKey(values.title));
      const same = found.filter((w) => !values.year || w.year === null || String(w.year) === values.year);
      let work: ReviewFormPage['work'];
      if (same.length === 1) {
        const [detail] = await loadWorkDetails(db.kysely, [same[0]!.id]);
        if (detail) {
          work = { slug: detail.slug, title: detail.title, year: detail.year };
          values.work = detail.slug;
          warnings.unshift(`${detail.title}${detail.year !== null ? ` (${detail.year})` : ''} is already here: the review will be of that work.`);
        }
      }
      return send(reply, reviewFormPage(site, { values, errors: {}, warnings, work, csrf: session.csrfToken }));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return send(reply, reviewFormPage(site, { values: emptyForm(session.user.reviewScale), errors: { form: error.message.replace(/^paste: /, '') }, csrf: session.csrfToken }), error.status);
    }
  });

  app.post('/write/new', async (request, reply) => {
    const session = await formSession(request);
    const body = (request.body ?? {}) as Body;
    const values = readForm(body, session?.user.reviewScale ?? 5);
    if (!session) return send(reply, reviewFormPage(site, { values, errors: { form: SIGNED_OUT }, csrf: '' }), 401);
    const intent = intentOf(body);
    const page: ReviewFormPage = { values, errors: {}, csrf: session.csrfToken };

    // Which work: one picked (its address, or a title that names one work), or a new one.
    let work: WorkDetail | undefined;
    let newWork: ReturnType<typeof formWork> | undefined;
    try {
      if (values.work.trim()) {
        work = await pickWork(values.work.trim(), page);
      } else if (values.title.trim()) {
        newWork = formWork(values);
        if (body.different_work !== '1') {
          const duplicates = await likelyDuplicates(db, newWork);
          if (duplicates.length) {
            page.duplicates = duplicates;
            page.errors.work = 'A work of this title is already here: pick it, or confirm yours is another.';
          }
        }
      } else {
        page.errors.work = 'Pick the work you review, or add it below.';
      }
      formScore(values);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      Object.assign(page.errors, fieldErrors(error));
    }
    if (!values.body.trim() && intent !== 'preview') page.errors.body = 'The review needs some words.';
    if (Object.keys(page.errors).length) return send(reply, reviewFormPage(site, page), 400);

    if (intent === 'preview') {
      page.preview = previewOf(session, values, work ?? draftWork(newWork!));
      return send(reply, reviewFormPage(site, page));
    }
    try {
      if (!work) {
        const slug = await createWork(db, session.user, { ...newWork!, force: body.different_work === '1' });
        // From here on the form is about that work: sending it again does not add a second one.
        values.work = slug;
        values.title = '';
        work = (await loadWorkDetails(db.kysely, [(await findWorkBySlug(db.kysely, slug))!.id]))[0]!;
        page.work = { slug: work.slug, title: work.title, year: work.year };
      }
      const id = await createReview(db, session.user, reviewInput(values, work.slug, intent));
      return reply.redirect(intent === 'publish' ? urls.review(id) : `${writeUrls.edit(id)}?saved=draft`, 303);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      page.errors = fieldErrors(error, { 'score.value': 'score', 'score.max': 'scale', tags: 'tags' });
      return send(reply, reviewFormPage(site, page), error.status);
    }
  });

  /** The work `text` names: its address, or a title only one work has. Sets the page's work or its error. */
  async function pickWork(text: string, page: ReviewFormPage): Promise<WorkDetail | undefined> {
    const bySlug = await findWorkBySlug(db.kysely, text.replace(/^.*\/works\//, '').replace(/[/?#].*$/, ''));
    const ids = bySlug ? [bySlug.id] : (await findWorksByTitleKey(db.kysely, titleKey(text))).map((w) => w.id);
    const works = await loadWorkDetails(db.kysely, ids);
    if (works.length === 1) {
      const work = works[0]!;
      page.work = { slug: work.slug, title: work.title, year: work.year };
      page.values.work = work.slug;
      return work;
    }
    if (works.length === 0) page.errors.work = `No work called “${text.slice(0, 100)}” is here yet: leave this empty and add it below.`;
    else {
      page.errors.work = `${works.length} works are called “${text.slice(0, 100)}”: pick one.`;
      page.duplicates = works.map((w) => ({ slug: w.slug, title: w.title, year: w.year, kind: w.kind }));
    }
    return undefined;
  }

  // ---- editing

  app.get('/write/:id', async (request, reply) => {
    const session = await signedIn(request, reply);
    if (!session) return reply;
    const id = idOf(request);
    if (id === undefined) throw new AppError('not_found', 'There is no page at this address.');
    const { review, work } = await reviewForEditing(db, session.user, id);
    const values = formFromReview({ ...review, workSlug: work.slug }, [], session.user.reviewScale);
    const saved = (request.query as Record<string, string | undefined>).saved;
    return send(
      reply,
      reviewFormPage(site, {
        review: { id, status: review.status },
        values,
        errors: {},
        work: { slug: work.slug, title: work.title, year: work.year },
        csrf: session.csrfToken,
        notice: saved ? NOTICES[saved] : undefined,
        ...(await moderationFacts(session, id)),
      }),
    );
  });

  app.post('/write/:id', async (request, reply) => {
    const session = await formSession(request);
    const body = (request.body ?? {}) as Body;
    const values = readForm(body, session?.user.reviewScale ?? 5);
    if (!session) return send(reply, reviewFormPage(site, { values, errors: { form: SIGNED_OUT }, csrf: '' }), 401);
    const id = idOf(request);
    if (id === undefined) throw new AppError('not_found', 'There is no page at this address.');
    const { review, work } = await reviewForEditing(db, session.user, id);
    const intent = intentOf(body);
    const page: ReviewFormPage = {
      review: { id, status: review.status },
      values,
      errors: {},
      work: { slug: work.slug, title: work.title, year: work.year },
      csrf: session.csrfToken,
      ...(await moderationFacts(session, id)),
    };
    try {
      formScore(values);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      page.errors = fieldErrors(error);
      return send(reply, reviewFormPage(site, page), 400);
    }
    if (intent === 'preview') {
      page.preview = previewOf(session, values, work, review);
      return send(reply, reviewFormPage(site, page));
    }
    try {
      const { work: _work, ...patch } = reviewInput(values, work.slug, intent);
      await updateReview(db, session.user, id, patch);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      page.errors = fieldErrors(error, { 'score.value': 'score', 'score.max': 'scale' });
      return send(reply, reviewFormPage(site, page), error.status);
    }
    return reply.redirect(intent === 'publish' ? urls.review(id) : `${writeUrls.edit(id)}?saved=draft`, 303);
  });

  app.post('/write/:id/delete', async (request, reply) => {
    const session = await formSession(request);
    if (!session) throw new AppError('unauthorized', SIGNED_OUT);
    const id = idOf(request);
    if (id === undefined) throw new AppError('not_found', 'There is no page at this address.');
    await deleteReview(db, session.user, id);
    return reply.redirect(`${writeUrls.home()}?deleted=${id}`, 303);
  });

  app.post('/write/:id/restore', async (request, reply) => {
    const session = await formSession(request);
    if (!session) throw new AppError('unauthorized', SIGNED_OUT);
    const id = idOf(request);
    if (id === undefined) throw new AppError('not_found', 'There is no page at this address.');
    await restoreReview(db, session.user, id);
    return reply.redirect(`${writeUrls.edit(id)}?saved=restored`, 303);
  });

  /** Whether the user moderates, and why the review is hidden, if it is. */
  async function moderationFacts(session: CurrentSession, id: number): Promise<Pick<ReviewFormPage, 'moderation' | 'canModerate'>> {
    const moderation = await moderationOf(db, id);
    return { canModerate: can(session.user, 'review.moderate'), ...(moderation && { moderation }) };
  }

  app.post('/write/:id/hide', async (request, reply) => {
    const session = await formSession(request);
    if (!session) throw new AppError('unauthorized', SIGNED_OUT);
    const id = idOf(request);
    if (id === undefined) throw new AppError('not_found', 'There is no page at this address.');
    const reason = (request.body as Body | undefined)?.reason;
    await hideReview(db, session.user, id, typeof reason === 'string' ? reason : '');
    return reply.redirect(`${writeUrls.edit(id)}?saved=hidden`, 303);
  });

  app.post('/write/:id/unhide', async (request, reply) => {
    const session = await formSession(request);
    if (!session) throw new AppError('unauthorized', SIGNED_OUT);
    const id = idOf(request);
    if (id === undefined) throw new AppError('not_found', 'There is no page at this address.');
    await unhideReview(db, session.user, id);
    return reply.redirect(`${writeUrls.edit(id)}?saved=unhidden`, 303);
  });

  app.get('/write/:id/history', async (request, reply) => {
    const session = await signedIn(request, reply);
    if (!session) return reply;
    const id = idOf(request);
    if (id === undefined) throw new AppError('not_found', 'There is no page at this address.');
    const { review, work, revisions } = await reviewHistory(db, session.user, id);
    return send(
      reply,
      historyPage(site, {
        reviewId: id,
        title: review.headline ?? `Review of ${work.title}`,
        revisions: revisions.map((r) => ({ id: r.id, editedAt: r.editedAt, editedBy: r.editedBy, previous: r.previous as never })),
      }),
    );
  });

  /** The body as the review page will show it, for the form's live preview. */
  app.post('/write/preview-body', async (request, reply) => {
    const session = await formSession(request);
    if (!session) throw new AppError('unauthorized', SIGNED_OUT);
    const body = (request.body ?? {}) as Body;
    const text = typeof body.body === 'string' ? body.body : '';
    return reply.type('text/html; charset=utf-8').header('cache-control', 'private, no-store').send(renderReviewBody(text));
  });
}

const SIGNED_OUT = 'You are signed out (your session may have ended). Sign in in another tab, then send this form again: what you typed is kept below.';

function reviewInput(values: ReviewFormValues, workSlug: string, intent: Exclude<Intent, 'preview'>) {
  return {
    work: workSlug,
    score: formScore(values),
    headline: values.headline.trim() || null,
    summary: values.summary.trim() || null,
    body: values.body,
    status: intent === 'publish' ? ('published' as const) : ('draft' as const),
    tags: formTags(values),
  };
}

/** A work not added yet, shown in a preview as it will be. */
function draftWork(parsed: ReturnType<typeof formWork>): WorkDetail {
  const now = new Date().toISOString();
  return {
    id: 0,
    slug: '',
    title: parsed.title,
    altTitles: [],
    kind: parsed.kind,
    year: parsed.year,
    synopsis: null,
    episodes: null,
    credits: parsed.credits.map((c) => ({ ...c, slug: '' })),
    studios: parsed.studios.map((name) => ({ name, slug: '' })),
    platforms: parsed.platforms.map((name) => ({ name, slug: '' })),
    tags: [],
    externalIds: {},
    reviewCount: 0,
    ratingCount: 0,
    ratingSum: 0,
    ratingHistogram: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    createdAt: now,
    updatedAt: now,
  };
}

function previewOf(session: CurrentSession, values: ReviewFormValues, work: WorkDetail, saved?: { publishedAt: string | null; updatedAt: string; authorSlug?: string; authorName?: string }) {
  const score = formScore(values);
  const now = new Date().toISOString();
  const summary = values.summary.trim() || null;
  return {
    work,
    review: {
      headline: values.headline.trim() || null,
      authorSlug: saved?.authorSlug ?? '',
      authorName: saved?.authorName ?? session.user.name,
      publishedAt: saved?.publishedAt ?? now,
      updatedAt: now,
      scoreValue: score?.value ?? null,
      scoreMax: score?.max ?? null,
      rating: score ? ratingFromScore(score) : null,
      summary,
      hasSpoilers: withoutSpoilers(values.body, '') !== values.body ? 1 : 0,
      body: values.body,
      bodyHtml: renderReviewBody(values.body),
    },
  };
}


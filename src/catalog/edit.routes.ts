/**
 * Editing the catalogue in the browser (editors and admins: `catalog.edit`): a work's main facts,
 * a person's (studio's, platform's) name, and merging duplicates — the same service functions
 * the API calls. Every answer is private; every form is checked against cross-site requests; a
 * form that fails comes back with the message beside its field and what was typed kept.
 *
 *   GET  /edit/works/:slug             the work's form and the merge form
 *   POST /edit/works/:slug             title, kind, year, synopsis
 *   POST /edit/works/:slug/merge       into=SLUG shows what will move; with confirm=1 merges
 *   GET  /edit/{people,studios,platforms}/:slug, POST …/:slug (rename), POST …/:slug/merge
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import type { VNode } from 'preact';
import type { Site } from '../site/site.context.js';
import { registerSecurityHeaders, sendPage } from '../site/http.js';
import { formSession, pageSession } from '../accounts/auth.http.js';
import type { CurrentSession } from '../accounts/accounts.service.js';
import { AppError, notFound } from '../shared/errors.js';
import { renameName, updateWork, type CatalogName } from '../works/works.authoring.js';
import { mergeNames, mergeWorks, previewNameMerge, previewWorkMerge } from '../works/merge.service.js';
import { findWorkBySlug, findWorkRedirect } from '../works/works.repository.js';
import { findNamedBySlug, findNameRedirect, worksNaming } from '../works/names.repository.js';
import { editUrls, nameEditPage, NOUNS, workEditPage, type Errors, type NameEditPage, type WorkEditPage, type WorkFormValues } from './edit.pages.js';
import { urls } from '../shared/urls.js';

type Body = Record<string, unknown>;

const FORBIDDEN = 'Only editors and admins change the catalogue. An admin can give your account that role.';
const TABLES: CatalogName[] = ['people', 'studios', 'platforms'];

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** An error as a form shows it: "field: message" beside that field (one of `fields`), anything else above the form. */
function fieldErrors(error: AppError, fields: readonly string[]): Errors {
  const m = /^([a-zA-Z_.]+): (.*)$/s.exec(error.message);
  const name = m?.[1]!.split('.')[0];
  if (m && name && fields.includes(name)) return { [name]: sentence(m[2]!) };
  return { form: error.message };
}

/** An integer from the query string, or undefined. */
const count = (value: string | undefined) => (value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : undefined);
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export async function editRoutes(app: FastifyInstance, { site }: { site: Site }): Promise<void> {
  registerSecurityHeaders(app);
  await app.register(formbody);
  const db = site.db;
  const send = (reply: FastifyReply, page: VNode, status = 200) => sendPage(reply, page, status, { private: true });
  const signIn = (reply: FastifyReply, next: string) => reply.header('cache-control', 'private, no-store').redirect(urls.login(next), 303);

  const EDITOR = { action: 'catalog.edit' as const, refusal: FORBIDDEN };
  /** The signed-in editor, or a redirect to the sign-in page (undefined: the reply is sent); 403 for anyone else. */
  const editor = (request: FastifyRequest, reply: FastifyReply) => pageSession(db.kysely, request, reply, site.publicUrl, EDITOR);

  /** For a form sent to us: checked against CSRF first; signed out → sign in, then back to the form's page. */
  async function formEditor(request: FastifyRequest, reply: FastifyReply, page: string): Promise<CurrentSession | undefined> {
    const session = await formSession(db.kysely, request, site.publicUrl, EDITOR);
    if (!session) void signIn(reply, page);
    return session;
  }

  const slugOf = (request: FastifyRequest) => {
    const slug = (request.params as { slug: string }).slug;
    if (slug.length > 200) throw new AppError('not_found', 'There is no page at this address.');
    return slug;
  };

  // ---- works

  async function workPage(slug: string, session: CurrentSession, parts: Partial<Pick<WorkEditPage, 'values' | 'errors' | 'merge' | 'notice'>> = {}): Promise<WorkEditPage> {
    const row = await findWorkBySlug(db.kysely, slug);
    if (!row) throw notFound(`The work "${slug}"`);
    return {
      work: { slug: row.slug, title: row.title, year: row.year, reviewCount: row.reviewCount },
      values: parts.values ?? { title: row.title, kind: row.kind ?? '', year: row.year === null ? '' : String(row.year), synopsis: row.synopsis ?? '' },
      errors: parts.errors ?? {},
      merge: parts.merge ?? { into: '', errors: {} },
      csrf: session.csrfToken,
      notice: parts.notice,
    };
  }

  app.get('/edit/works/:slug', async (request, reply) => {
    const session = await editor(request, reply);
    if (!session) return reply;
    const slug = slugOf(request);
    if (!(await findWorkBySlug(db.kysely, slug))) {
      // A work merged away: its survivor's form.
      const moved = await findWorkRedirect(db.kysely, slug);
      if (moved !== undefined) return reply.header('cache-control', 'private, no-store').redirect(editUrls.work(moved), 303);
    }
    const query = request.query as Record<string, string | undefined>;
    let notice: string | undefined;
    if (query.saved) notice = 'Saved.';
    const moved = count(query.moved);
    const aside = count(query.aside);
    if (query.merged && moved !== undefined) {
      notice =
        `“${query.merged.slice(0, 200)}” was merged into this work: ${plural(moved, 'review')} moved` +
        (aside ? `, and ${plural(aside, 'review')} by authors who had reviewed this work too ${aside === 1 ? 'was' : 'were'} kept as deleted (they can restore ${aside === 1 ? 'it' : 'them'})` : '') +
        '. Its old address leads here.';
    }
    return send(reply, workEditPage(site, await workPage(slug, session, { notice })));
  });

  app.post('/edit/works/:slug', async (request, reply) => {
    const slug = slugOf(request);
    const session = await formEditor(request, reply, editUrls.work(slug));
    if (!session) return reply;
    const body = (request.body ?? {}) as Body;
    const values: WorkFormValues = { title: text(body.title), kind: text(body.kind), year: text(body.year), synopsis: text(body.synopsis) };
    const fields = ['title', 'kind', 'year', 'synopsis'] as const;
    let errors: Errors = {};
    const yearText = values.year.trim();
    if (yearText && !/^\d{4}$/.test(yearText)) errors.year = 'A year between 1870 and 2100, in four digits.';
    if (!values.title.trim()) errors.title = 'The work needs a title.';
    let status = 400;
    if (Object.keys(errors).length === 0) {
      try {
        await updateWork(db, session.user, slug, { title: values.title, kind: values.kind || null, year: yearText ? Number(yearText) : null, synopsis: values.synopsis });
        return reply.redirect(`${editUrls.work(slug)}?saved=1`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.code === 'not_found' || error.code === 'forbidden') throw error;
        errors = fieldErrors(error, fields);
        status = error.status;
      }
    }
    return send(reply, workEditPage(site, await workPage(slug, session, { values, errors })), status);
  });

  app.post('/edit/works/:slug/merge', async (request, reply) => {
    const slug = slugOf(request);
    const session = await formEditor(request, reply, editUrls.work(slug));
    if (!session) return reply;
    const body = (request.body ?? {}) as Body;
    const into = text(body.into);
    try {
      if (body.confirm !== '1') {
        const preview = await previewWorkMerge(db, session.user, slug, into);
        return send(reply, workEditPage(site, await workPage(slug, session, { merge: { into, errors: {}, preview } })));
      }
      const merged = await mergeWorks(db, session.user, slug, into);
      const query = new URLSearchParams({ merged: merged.from.slug, moved: String(merged.reviews), aside: String(merged.setAside.length) });
      return reply.redirect(`${editUrls.work(merged.into.slug)}?${query}`, 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.code === 'not_found' || error.code === 'forbidden') throw error;
      return send(reply, workEditPage(site, await workPage(slug, session, { merge: { into, errors: fieldErrors(error, ['into']) } })), error.status);
    }
  });

  // ---- people, studios, platforms

  for (const table of TABLES) {
    const what = NOUNS[table].one;

    const namePage = async (slug: string, session: CurrentSession, parts: Partial<Pick<NameEditPage, 'values' | 'errors' | 'merge' | 'notice'>> = {}): Promise<NameEditPage> => {
      const named = await findNamedBySlug(db.kysely, table, slug);
      if (!named) throw notFound(`The ${what} "${slug}"`);
      return {
        table,
        named,
        works: (await worksNaming(db.kysely, table, named.id)).length,
        values: parts.values ?? { name: named.name },
        errors: parts.errors ?? {},
        merge: parts.merge ?? { into: '', errors: {} },
        csrf: session.csrfToken,
        notice: parts.notice,
      };
    };

    app.get(`/edit/${table}/:slug`, async (request, reply) => {
      const session = await editor(request, reply);
      if (!session) return reply;
      const slug = slugOf(request);
      if (!(await findNamedBySlug(db.kysely, table, slug))) {
        const moved = await findNameRedirect(db.kysely, table, slug);
        if (moved !== undefined) return reply.header('cache-control', 'private, no-store').redirect(editUrls.name(table, moved), 303);
      }
      const query = request.query as Record<string, string | undefined>;
      const works = count(query.works);
      const notice = query.saved
        ? 'Saved.'
        : query.merged && works !== undefined
          ? `“${query.merged.slice(0, 200)}” was merged into this ${what}: ${plural(works, 'work')} now name${works === 1 ? 's' : ''} it. Its old address leads here.`
          : undefined;
      return send(reply, nameEditPage(site, await namePage(slug, session, { notice })));
    });

    app.post(`/edit/${table}/:slug`, async (request, reply) => {
      const slug = slugOf(request);
      const session = await formEditor(request, reply, editUrls.name(table, slug));
      if (!session) return reply;
      const name = text(((request.body ?? {}) as Body).name);
      try {
        await renameName(db, session.user, table, slug, name);
        return reply.redirect(`${editUrls.name(table, slug)}?saved=1`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.code === 'not_found' || error.code === 'forbidden') throw error;
        return send(reply, nameEditPage(site, await namePage(slug, session, { values: { name }, errors: fieldErrors(error, ['name']) })), error.status);
      }
    });

    app.post(`/edit/${table}/:slug/merge`, async (request, reply) => {
      const slug = slugOf(request);
      const session = await formEditor(request, reply, editUrls.name(table, slug));
      if (!session) return reply;
      const body = (request.body ?? {}) as Body;
      const into = text(body.into);
      try {
        if (body.confirm !== '1') {
          const preview = await previewNameMerge(db, session.user, table, slug, into);
          return send(reply, nameEditPage(site, await namePage(slug, session, { merge: { into, errors: {}, preview } })));
        }
        const merged = await mergeNames(db, session.user, table, slug, into);
        const query = new URLSearchParams({ merged: merged.from.slug, works: String(merged.works) });
        return reply.redirect(`${editUrls.name(table, merged.into.slug)}?${query}`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.code === 'not_found' || error.code === 'forbidden') throw error;
        return send(reply, nameEditPage(site, await namePage(slug, session, { merge: { into, errors: fieldErrors(error, ['into']) } })), error.status);
      }
    });
  }
}

/**
 * The editors' pages of the catalogue: a work's main facts (title, kind, year, synopsis), a
 * person's (studio's, platform's) name, and merging a duplicate into the record to keep, in two
 * steps (what will move, then "Merge"). Private pages, never cached and never indexed; they
 * work without JavaScript.
 */
import type { VNode } from 'preact';
import { Private, Csrf, Notice } from '../site/private.js';
import type { Site } from '../site/site.context.js';
import { KIND_LABELS } from '../site/components.js';
import { urls } from '../shared/urls.js';
import type { CatalogName } from '../works/works.authoring.js';
import type { NameMerge, WorkMerge } from '../works/merge.service.js';

export const editUrls = {
  work: (slug: string) => `/edit/works/${slug}`,
  workMerge: (slug: string) => `/edit/works/${slug}/merge`,
  name: (table: CatalogName, slug: string) => `/edit/${table}/${slug}`,
  nameMerge: (table: CatalogName, slug: string) => `/edit/${table}/${slug}/merge`,
};

/** Messages by field name ("form" for the ones about the form as a whole). */
export type Errors = Record<string, string>;

export const NOUNS: Record<CatalogName, { one: string; publicUrl: (slug: string) => string }> = {
  people: { one: 'person', publicUrl: urls.person },
  studios: { one: 'studio', publicUrl: urls.studio },
  platforms: { one: 'platform', publicUrl: urls.platform },
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The summary of a failed form, above it: what went wrong with the form as a whole. */
function FormErrors({ errors }: { errors: Errors }) {
  const count = Object.keys(errors).length;
  if (count === 0) return null;
  return (
    <div class="form-errors" role="alert">
      <p>
        <strong>{count === 1 ? 'One thing needs fixing' : `${count} things need fixing`}</strong> — nothing was changed.
      </p>
      {errors.form && <p>{errors.form}</p>}
    </div>
  );
}

function Field(props: { name: string; label: string; value: string; errors: Errors; hint?: string; maxLength?: number; inputMode?: string; multiline?: boolean }) {
  const { name, label, value, errors, hint } = props;
  const error = errors[name];
  const describedBy = [error ? `${name}-error` : '', hint ? `${name}-hint` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id: `f-${name}`, name, 'aria-invalid': error ? ('true' as const) : undefined, 'aria-describedby': describedBy };
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={`f-${name}`}>{label}</label>
      {hint && (
        <p class="field-hint" id={`${name}-hint`}>
          {hint}
        </p>
      )}
      {props.multiline ? (
        <textarea {...common} rows={6} maxLength={props.maxLength ?? 10_000}>
          {value}
        </textarea>
      ) : (
        <input {...common} type="text" value={value} maxLength={props.maxLength ?? 300} inputMode={props.inputMode as 'numeric' | undefined} autoComplete="off" />
      )}
      {error && (
        <p class="field-error" id={`${name}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** The merge form: the record to keep, then (after a first send) what will move and "Merge". */
function MergeSection(props: { action: string; noun: string; into: string; errors: Errors; csrf: string; hint: string; confirm?: { intoSlug: string; intoLabel: string; lines: string[]; warnings: string[] } }) {
  const { action, noun, errors, confirm } = props;
  return (
    <section class="danger-zone" aria-labelledby="merge-heading">
      <h2 id="merge-heading">Merge into another {noun}</h2>
      <p>
        When this {noun} is a duplicate: everything attached to it moves to the {noun} you keep, this one is deleted, and its address leads to the one kept. This cannot be undone.
      </p>
      {errors.form && (
        <div class="form-errors" role="alert">
          <p>{errors.form}</p>
        </div>
      )}
      {confirm ? (
        <div class="notice" role="status">
          <p>
            <strong>
              Merge into {confirm.intoLabel}? This is what will happen:
            </strong>
          </p>
          <ul>
            {confirm.lines.map((line) => (
              <li>{line}</li>
            ))}
          </ul>
          {confirm.warnings.length > 0 && (
            <ul>
              {confirm.warnings.map((line) => (
                <li>
                  <strong>{line}</strong>
                </li>
              ))}
            </ul>
          )}
          <form method="post" action={action} class="inline-form">
            <Csrf token={props.csrf} />
            <input type="hidden" name="into" value={confirm.intoSlug} />
            <input type="hidden" name="confirm" value="1" />
            <button type="submit" class="danger">
              Merge
            </button>
          </form>{' '}
          <a href={action.replace(/\/merge$/, '')}>Cancel</a>
        </div>
      ) : (
        <form method="post" action={action} novalidate>
          <Csrf token={props.csrf} />
          <Field name="into" label={`The ${noun} to keep`} value={props.into} errors={errors} hint={props.hint} maxLength={600} />
          <button type="submit">Show what will move</button>
        </form>
      )}
    </section>
  );
}

// ---- a work

export interface WorkFormValues {
  title: string;
  kind: string;
  year: string;
  synopsis: string;
}

export interface WorkEditPage {
  work: { slug: string; title: string; year: number | null; reviewCount: number };
  values: WorkFormValues;
  errors: Errors;
  merge: { into: string; errors: Errors; preview?: WorkMerge };
  csrf: string;
  notice?: string;
}

const workLabel = (w: { title: string; year: number | null; slug: string }) => `“${w.title}”${w.year !== null ? ` (${w.year})` : ''}, ${w.slug}`;

function workMergeLines(p: WorkMerge): { lines: string[]; warnings: string[] } {
  const lines = [
    `${plural(p.reviews, 'review')} move${p.reviews === 1 ? 's' : ''} to it (their addresses stay).`,
    `${plural(p.credits, 'credit')}, ${plural(p.studios, 'studio')}, ${plural(p.platforms, 'platform')} and ${plural(p.tags, 'tag')} it lacks are added to it.`,
    `“${p.from.title}” and its other titles become alternative titles of it.`,
    `${plural(p.listEntries, 'list entry', 'list entries')} move${p.listEntries === 1 ? 's' : ''} to it.`,
    `The address ${urls.work(p.from.slug)} will lead to ${urls.work(p.into.slug)}.`,
  ];
  const warnings: string[] = [];
  if (p.setAside.length) {
    warnings.push(
      `${plural(p.setAside.length, 'review')} conflict${p.setAside.length === 1 ? 's' : ''}: ${p.setAside.map((r) => r.authorName).join(', ')} reviewed both works. Their review of the work kept stays; the other is kept as deleted (review ${p.setAside.map((r) => r.id).join(', ')}), and they can restore it in place of the first.`,
    );
  }
  if (p.listEntriesDropped) warnings.push(`${plural(p.listEntriesDropped, 'list entry', 'list entries')} of authors who have one of the work kept will be dropped.`);
  for (const id of p.externalIdsDropped) warnings.push(`Its ${id.source} id ${id.externalId} is dropped: the work kept has its own ${id.source} id.`);
  return { lines, warnings };
}

export function workEditPage(site: Site, page: WorkEditPage): VNode {
  const { work, values, errors, merge } = page;
  const preview = merge.preview;
  return (
    <Private site={site} title={`Edit ${work.title}`} path={editUrls.work(work.slug)}>
      <h1>Edit “{work.title}”</h1>
      <p>
        <a href={urls.work(work.slug)}>Its page</a> · {plural(work.reviewCount, 'published review')}
      </p>
      <Notice text={page.notice} />
      <FormErrors errors={errors} />
      <form method="post" action={editUrls.work(work.slug)} novalidate>
        <Csrf token={page.csrf} />
        <Field name="title" label="Title" value={values.title} errors={errors} />
        <div class="field-row">
          <div class={`field${errors.kind ? ' has-error' : ''}`}>
            <label for="f-kind">Kind</label>
            <select id="f-kind" name="kind" aria-invalid={errors.kind ? 'true' : undefined} aria-describedby={errors.kind ? 'kind-error' : undefined}>
              <option value="">Unknown</option>
              {Object.entries(KIND_LABELS).map(([value, label]) => (
                <option value={value} selected={values.kind === value}>
                  {label}
                </option>
              ))}
            </select>
            {errors.kind && (
              <p class="field-error" id="kind-error">
                {errors.kind}
              </p>
            )}
          </div>
          <Field name="year" label="Year" value={values.year} errors={errors} inputMode="numeric" maxLength={4} />
        </div>
        <Field name="synopsis" label="Synopsis" value={values.synopsis} errors={errors} multiline />
        <button type="submit">Save</button>
      </form>
      <MergeSection
        action={editUrls.workMerge(work.slug)}
        noun="work"
        into={merge.into}
        errors={merge.errors}
        csrf={page.csrf}
        hint="Its address on this site, or the part after /works/."
        confirm={preview && { intoSlug: preview.into.slug, intoLabel: workLabel(preview.into), ...workMergeLines(preview) }}
      />
    </Private>
  );
}

// ---- a person, studio or platform

export interface NameEditPage {
  table: CatalogName;
  named: { slug: string; name: string };
  /** How many works name it. */
  works: number;
  values: { name: string };
  errors: Errors;
  merge: { into: string; errors: Errors; preview?: NameMerge };
  csrf: string;
  notice?: string;
}

export function nameEditPage(site: Site, page: NameEditPage): VNode {
  const { table, named, values, errors, merge } = page;
  const noun = NOUNS[table];
  const preview = merge.preview;
  return (
    <Private site={site} title={`Edit ${named.name}`} path={editUrls.name(table, named.slug)}>
      <h1>Edit “{named.name}”</h1>
      <p>
        <a href={noun.publicUrl(named.slug)}>Its page</a> · named by {plural(page.works, 'work')}
      </p>
      <Notice text={page.notice} />
      <FormErrors errors={errors} />
      <form method="post" action={editUrls.name(table, named.slug)} novalidate>
        <Csrf token={page.csrf} />
        <Field name="name" label="Name" value={values.name} errors={errors} hint="Its address stays the same." />
        <button type="submit">Rename</button>
      </form>
      <MergeSection
        action={editUrls.nameMerge(table, named.slug)}
        noun={noun.one}
        into={merge.into}
        errors={merge.errors}
        csrf={page.csrf}
        hint={`Its address on this site, or the part after /${table}/.`}
        confirm={
          preview && {
            intoSlug: preview.into.slug,
            intoLabel: `“${preview.into.name}”, ${preview.into.slug}`,
            lines: [
              `${plural(preview.works, 'work')} naming “${preview.from.name}” will name “${preview.into.name}” instead (once, where a work names both).`,
              `The address ${noun.publicUrl(preview.from.slug)} will lead to ${noun.publicUrl(preview.into.slug)}.`,
            ],
            warnings: [],
          }
        }
      />
    </Private>
  );
}

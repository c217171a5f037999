/**
 * The facts of a work in a box: kind, year, credits by role, studios, where to watch, and
 * its pages elsewhere. Shown beside the work page and beside each of its reviews; every name
 * leads to the page listing that name's other works.
 */
import type { ComponentChildren } from 'preact';
import type { WorkDetail } from '../works/works.repository.js';
import { CREDIT_ROLES } from '../import/import.types.js';
import { urls } from '../shared/urls.js';
import { kindLabel, MeanScore, roleLabel } from './components.js';
import { externalLinks } from './jsonld.js';

type InfoBoxWork = Pick<WorkDetail, 'slug' | 'title' | 'kind' | 'year' | 'credits' | 'studios' | 'platforms' | 'tags' | 'externalIds' | 'ratingCount' | 'ratingSum'>;

/** Names joined by commas, each a link. */
function Links({ items }: { items: { name: string; href: string }[] }) {
  return (
    <>
      {items.map((item, i) => (
        <>
          {i > 0 && ', '}
          <a href={item.href}>{item.name}</a>
        </>
      ))}
    </>
  );
}

function Row({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** Credits grouped by role, in the canonical role order; roles the app does not know come last. */
export function creditsByRole(credits: WorkDetail['credits']): [role: string, people: { name: string; slug: string }[]][] {
  const groups = new Map<string, { name: string; slug: string }[]>();
  for (const c of credits) {
    const list = groups.get(c.role) ?? [];
    list.push({ name: c.name, slug: c.slug });
    groups.set(c.role, list);
  }
  const order = (role: string) => {
    const i = (CREDIT_ROLES as readonly string[]).indexOf(role);
    return i < 0 ? CREDIT_ROLES.length : i;
  };
  return [...groups.entries()].sort(([a], [b]) => order(a) - order(b));
}

export interface InfoBoxProps {
  work: InfoBoxWork;
  /** The box's heading; the work page's own title is already the h1. */
  heading?: string;
  /** Link the title to the work page (beside a review). */
  linkTitle?: boolean;
  /** Add the work's mean score and its tags (beside a review, where the page shows neither). */
  summary?: boolean;
  id?: string;
}

export function InfoBox({ work, heading = 'About this work', linkTitle = false, summary = false, id = 'infobox-heading' }: InfoBoxProps) {
  const elsewhere = externalLinks(work.externalIds);
  return (
    <section class="infobox" aria-labelledby={id}>
      <h2 id={id}>{heading}</h2>
      <dl>
        {linkTitle && (
          <Row label="Title">
            <a href={urls.work(work.slug)}>{work.title}</a>
          </Row>
        )}
        <Row label="Kind">{kindLabel(work.kind)}</Row>
        {work.year !== null && (
          <Row label="Year">
            <a href={urls.year(work.year)}>{work.year}</a>
          </Row>
        )}
        {creditsByRole(work.credits).map(([role, people]) => (
          <Row label={roleLabel(role)}>
            <Links items={people.map((p) => ({ name: p.name, href: urls.person(p.slug) }))} />
          </Row>
        ))}
        {work.studios.length > 0 && (
          <Row label={work.studios.length === 1 ? 'Studio' : 'Studios'}>
            <Links items={work.studios.map((s) => ({ name: s.name, href: urls.studio(s.slug) }))} />
          </Row>
        )}
        {work.platforms.length > 0 && (
          <Row label="Where to watch">
            <Links items={work.platforms.map((p) => ({ name: p.name, href: urls.platform(p.slug) }))} />
          </Row>
        )}
        {summary && work.tags.length > 0 && (
          <Row label="Tags">
            <Links items={work.tags.map((t) => ({ name: t.name, href: urls.tag(t.slug) }))} />
          </Row>
        )}
        {summary && (
          <Row label="Average">
            <MeanScore work={work} digits={1} />
          </Row>
        )}
        {elsewhere.length > 0 && (
          <Row label="Elsewhere">
            {elsewhere.map((l, i) => (
              <>
                {i > 0 && ', '}
                <a href={l.url} rel="noopener">
                  {l.label}
                </a>
              </>
            ))}
          </Row>
        )}
      </dl>
    </section>
  );
}

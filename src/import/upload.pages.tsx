/**
 * The pages of importing in the browser: the upload form, the per-file report of review files
 * (before and after confirming), an import run's progress and report, and the list of runs.
 * Private, never indexed, and without JavaScript: a running import's page reloads itself with
 * the `Refresh` header (upload.routes.ts), the Content-Security-Policy allowing no inline script.
 */
import type { ComponentChildren, VNode } from 'preact';
import { Private, Csrf } from '../site/private.js';
import type { Site } from '../site/site.context.js';
import { DateText, kindLabel, Pagination } from '../site/components.js';
import { urls } from '../shared/urls.js';
import type { FileReport } from './plaintext.import.js';
import type { ImportItemRow, ImportRun } from './runs.repository.js';

export const importUrls = {
  upload: () => '/import',
  confirm: (id: string) => `/import/${id}/confirm`,
  runs: (before?: number) => (before === undefined ? '/import/runs' : `/import/runs?before=${before}`),
  run: (id: number) => `/import/runs/${id}`,
  undo: (id: number) => `/import/runs/${id}/undo`,
};

const mb = (bytes: number) => {
  const n = bytes / (1024 * 1024);
  return n >= 10 || Number.isInteger(n) ? `${Math.round(n)} MB` : `${n.toFixed(1)} MB`;
};

// ---- the upload form

export function importPage(site: Site, data: { csrf: string; limits: { files: number; fileBytes: number; reviewFileBytes: number } }): VNode {
  const { limits } = data;
  return (
    <Private site={site} title="Import" path={importUrls.upload()}>
      <h1>Import</h1>
      <p>Upload review files, or a list exported from another site. Kansou recognises what you upload, as <code>kansou import</code> does:</p>
      <ul>
        <li>
          <strong>Review files</strong> (<code>.txt</code>, <code>.md</code>): you see what each file holds (title, kind, year, score, and anything
          unclear) before anything is written, then confirm.
        </li>
        <li>
          <strong>Lists</strong>: a MyAnimeList export (<code>.xml</code> or <code>.xml.gz</code>), a Letterboxd export (<code>.zip</code> or its CSV
          files), an AniList list (JSON), a blog (WordPress export, RSS or Atom feed), a CSV list, or a ZIP of Markdown reviews (Kansou’s own
          export). These are imported at once; you follow the import on its page, and an admin can undo it.
        </li>
      </ul>
      <p>Everything is filed under your name.</p>
      <form method="post" action={importUrls.upload()} enctype="multipart/form-data" class="account-form">
        <Csrf token={data.csrf} />
        <div class="field">
          <label for="import-files">Files</label>
          <p class="field-hint" id="import-files-hint">
            Up to {limits.files} files at a time, {mb(limits.fileBytes)} each at most ({mb(limits.reviewFileBytes)} for a review file). One kind of
            file per upload.
          </p>
          <input id="import-files" type="file" name="files" multiple required aria-describedby="import-files-hint" />
        </div>
        <div class="form-actions">
          <button type="submit" class="primary">
            Upload
          </button>
        </div>
      </form>
      <p>
        <a href={importUrls.runs()}>Your imports</a>
      </p>
    </Private>
  );
}

// ---- review files

export interface ReviewReport {
  /** `preview`: parsed, nothing written; `done`: confirmed and written. */
  stage: 'preview' | 'done';
  files: FileReport[];
  /** The upload to confirm (preview with at least one readable file). */
  uploadId?: string;
  csrf: string;
  author: string;
  notice?: string;
}

function resultOf(report: FileReport): string {
  if (!report.ok) return 'Failed';
  const r = report.result;
  if (!r) return 'Readable';
  const work = r.work.action === 'created' ? 'new work' : `matched an existing work (${r.work.reason})`;
  return `${r.review.action === 'created' ? 'Created' : r.review.action === 'updated' ? 'Updated' : 'Unchanged'}: ${work}`;
}

export function reviewReportPage(site: Site, data: ReviewReport): VNode {
  const ok = data.files.filter((f) => f.ok).length;
  const failed = data.files.length - ok;
  const done = data.stage === 'done';
  const count = (action: 'created' | 'updated' | 'unchanged') => data.files.filter((f) => f.result?.review.action === action).length;
  return (
    <Private site={site} title={done ? 'Import done' : 'Check the files'} path={importUrls.upload()}>
      <h1>{done ? 'Import done' : 'Check the files'}</h1>
      {data.notice && (
        <p class="notice" role="status">
          {data.notice}
        </p>
      )}
      <p class="import-summary" role="status">
        {done
          ? `${count('created')} created, ${count('updated')} updated, ${count('unchanged')} unchanged, ${failed} failed.`
          : `${ok} of ${data.files.length} ${data.files.length === 1 ? 'file is' : 'files are'} readable${failed ? `, ${failed} not` : ''}. Nothing has been written yet.`}
      </p>
      <div class="table-scroll">
        <table class="data-table import-report">
          <caption>{done ? 'What each file became' : `What each file holds (under ${data.author})`}</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Title</th>
              <th scope="col">Kind</th>
              <th scope="col">Year</th>
              <th scope="col">Score</th>
              <th scope="col">{done ? 'Result' : 'Notes'}</th>
            </tr>
          </thead>
          <tbody>
            {data.files.map((f) => (
              <tr class={f.ok ? undefined : 'import-failed'}>
                <th scope="row">{f.source}</th>
                <td>{f.work?.title ?? '—'}</td>
                <td>{f.work ? kindLabel(f.work.kind) : '—'}</td>
                <td>{f.work?.year ?? '—'}</td>
                <td>{f.review?.score ? `${f.review.score.value}/${f.review.score.max}` : '—'}</td>
                <td>
                  {done && <p>{resultOf(f)}</p>}
                  {f.error && <p class="field-error">{f.error}</p>}
                  {f.warnings.length > 0 && (
                    <ul class="plain-list">
                      {f.warnings.map((w) => (
                        <li class="muted">{w}</li>
                      ))}
                    </ul>
                  )}
                  {!done && f.ok && f.warnings.length === 0 && 'Ready'}
                  {done && f.result && (
                    <p>
                      <a href={`/write/${f.result.review.id}`}>Your review</a> · <a href={urls.work(f.result.work.slug)}>the work</a>
                    </p>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!done && data.uploadId && (
        <form method="post" action={importUrls.confirm(data.uploadId)} class="form-actions">
          <Csrf token={data.csrf} />
          <p>
            {failed
              ? `Confirming imports the ${ok} readable ${ok === 1 ? 'file' : 'files'}; fix the others and upload them again.`
              : `Confirming imports ${ok === 1 ? 'this file' : `these ${ok} files`}.`}{' '}
            The upload waits a day.
          </p>
          <button type="submit" class="primary">
            Confirm import
          </button>
        </form>
      )}
      {!done && !data.uploadId && <p>No file could be read, so there is nothing to confirm: fix them and upload them again.</p>}
      <p>
        <a href={importUrls.upload()}>Upload more</a> · <a href="/write">Your reviews</a>
      </p>
    </Private>
  );
}

// ---- runs

export const FORMAT_LABELS: Record<string, string> = {
  mal: 'MyAnimeList',
  letterboxd: 'Letterboxd',
  anilist: 'AniList',
  blog: 'Blog',
  csv: 'CSV',
  markdown: 'Markdown ZIP',
};

function runState(run: ImportRun, stalled: boolean): string {
  if (run.undoneAt || run.status === 'undone') return 'Undone';
  if (stalled) return 'Stalled (its server stopped); undo it to take back what it wrote';
  return { running: 'Running', done: 'Done', failed: 'Failed' }[run.status as 'running' | 'done' | 'failed'] ?? run.status;
}

function Counts({ run }: { run: ImportRun }) {
  return (
    <dl class="import-counts">
      <dt>Entries</dt>
      <dd>{run.entries}</dd>
      <dt>Created</dt>
      <dd>{run.created}</dd>
      <dt>Matched existing works</dt>
      <dd>{run.matched}</dd>
      <dt>Updated</dt>
      <dd>{run.updated}</dd>
      <dt>Unchanged</dt>
      <dd>{run.unchanged}</dd>
      <dt>Skipped</dt>
      <dd>{run.skipped}</dd>
      <dt>Failed</dt>
      <dd>{run.failed}</dd>
      <dt>Uncertain matches</dt>
      <dd>{run.uncertain}</dd>
    </dl>
  );
}

function describeItem(item: ImportItemRow): ComponentChildren {
  if (item.outcome === 'skipped' || item.outcome === 'failed') return item.reason;
  const parts = [
    item.workAction === 'created' ? 'new work' : `matched (${item.matchReason})`,
    item.reviewAction && `review ${item.reviewAction}`,
    item.entryAction && `list entry ${item.entryAction}`,
  ].filter(Boolean);
  return parts.join(', ');
}

export interface RunPage {
  run: ImportRun;
  stalled: boolean;
  items: ImportItemRow[];
  problems: boolean;
  after: number;
  nextAfter?: number;
  canUndo: boolean;
  csrf: string;
  notice?: string;
}

export function runPage(site: Site, data: RunPage): VNode {
  const { run } = data;
  const live = run.status === 'running' && !data.stalled && !run.undoneAt;
  const share = run.bytesTotal ? Math.min(1, run.bytesRead / run.bytesTotal) : undefined;
  const percent = share === undefined ? undefined : Math.floor(share * 100);
  const base = importUrls.run(run.id);
  const q = (o: { show?: string; after?: number }) => {
    const p = new URLSearchParams();
    if (o.show) p.set('show', o.show);
    if (o.after) p.set('after', String(o.after));
    const s = p.toString();
    return s ? `${base}?${s}` : base;
  };
  const show = data.problems ? 'problems' : undefined;
  return (
    <Private site={site} title={`Import #${run.id}`} path={base}>
      <h1>
        Import #{run.id}: {FORMAT_LABELS[run.format] ?? run.format}
      </h1>
      {data.notice && (
        <p class="notice" role="status">
          {data.notice}
        </p>
      )}
      <p>
        {run.source} — by {run.author}, started <DateText iso={run.startedAt} />.
      </p>
      <p class="import-state" role="status">
        <strong>{runState(run, data.stalled)}</strong>
        {live && ' — this page reloads every two seconds until it is done.'}
      </p>
      {live && (
        <div class="import-progress">
          <label for="import-progress">Read so far</label>{' '}
          {percent === undefined ? (
            <progress id="import-progress" aria-describedby="import-progress-text">
              {run.entries} entries
            </progress>
          ) : (
            <progress id="import-progress" max={100} value={percent} aria-describedby="import-progress-text">
              {percent}%
            </progress>
          )}{' '}
          <span id="import-progress-text">
            {percent === undefined ? `${run.entries} entries so far` : `${percent}% of ${mb(run.bytesTotal!)} read, ${run.entries} entries so far`}
          </span>{' '}
          <a href={base}>Refresh</a>
        </div>
      )}
      {run.error && <p class="warning">Nothing of it was kept: {run.error}</p>}
      <Counts run={run} />
      {data.canUndo && (
        <form method="post" action={importUrls.undo(run.id)} class="inline-form">
          <Csrf token={data.csrf} />
          <button type="submit" class="danger">
            Undo this import
          </button>{' '}
          <span class="muted">Takes back the reviews and list entries it wrote or changed, and the works it added that nothing else uses.</span>
        </form>
      )}
      <h2 id="report-heading">Report</h2>
      <p>
        {data.problems ? (
          <>
            Showing failed, skipped and uncertain entries. <a href={base}>Show every entry</a>
          </>
        ) : (
          <>
            Showing every entry. <a href={q({ show: 'problems' })}>Only failed, skipped and uncertain</a>
          </>
        )}
      </p>
      {data.items.length === 0 ? (
        <p>{live ? 'No entries written yet.' : 'No entries.'}</p>
      ) : (
        <div class="table-scroll">
          <table class="data-table import-report" aria-labelledby="report-heading">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Entry</th>
                <th scope="col">Outcome</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((item) => {
                const warnings = JSON.parse(item.warnings) as string[];
                return (
                  <tr class={`import-${item.outcome}`}>
                    <td>{item.position}</td>
                    <th scope="row">{item.ref}</th>
                    <td>
                      {item.outcome}
                      {item.uncertain === 1 && <strong class="warning-text"> — uncertain match, check it</strong>}
                    </td>
                    <td>
                      {describeItem(item)}
                      {item.reviewId !== null && item.reviewAction !== 'unchanged' && !run.undoneAt && (
                        <>
                          {' '}
                          (<a href={`/write/${item.reviewId}`}>review</a>)
                        </>
                      )}
                      {warnings.length > 0 && (
                        <ul class="plain-list">
                          {warnings.map((w) => (
                            <li class="muted">{w}</li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pagination previous={data.after > 0 ? q({ show }) : null} next={data.nextAfter !== undefined ? q({ show, after: data.nextAfter }) : null} label="Report pages" />
      <p>
        <a href={importUrls.runs()}>All imports</a> · <a href={importUrls.upload()}>Import more</a>
      </p>
    </Private>
  );
}

export function runsPage(site: Site, data: { runs: (ImportRun & { stalled: boolean })[]; everyone: boolean; nextBefore?: number }): VNode {
  return (
    <Private site={site} title="Imports" path={importUrls.runs()}>
      <h1>{data.everyone ? 'Imports' : 'Your imports'}</h1>
      <p>
        <a class="button" href={importUrls.upload()}>
          Import files
        </a>
      </p>
      {data.runs.length === 0 ? (
        <p>No imports yet. (Review files imported after checking them are not runs: they are among your reviews.)</p>
      ) : (
        <div class="table-scroll">
          <table class="data-table">
            <caption>Newest first</caption>
            <thead>
              <tr>
                <th scope="col">Import</th>
                <th scope="col">Source</th>
                {data.everyone && <th scope="col">Author</th>}
                <th scope="col">Started</th>
                <th scope="col">State</th>
                <th scope="col">Entries</th>
              </tr>
            </thead>
            <tbody>
              {data.runs.map((run) => (
                <tr>
                  <td>
                    <a href={importUrls.run(run.id)}>
                      #{run.id} {FORMAT_LABELS[run.format] ?? run.format}
                    </a>
                  </td>
                  <td>{run.source}</td>
                  {data.everyone && <td>{run.author}</td>}
                  <td>
                    <DateText iso={run.startedAt} />
                  </td>
                  <td>{runState(run, run.stalled)}</td>
                  <td>
                    {run.entries} ({run.created} created, {run.failed} failed)
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination next={data.nextBefore !== undefined ? importUrls.runs(data.nextBefore) : null} label="Older imports" />
    </Private>
  );
}

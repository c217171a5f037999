/**
 * 404 and error pages in the site's look. The message never includes internals.
 */
import type { Site } from './site.context.js';
import { Layout } from './layout.js';
import { urls } from '../shared/urls.js';

export function errorPage(site: Site, status: number, message: string, path: string) {
  const title = status === 404 ? 'Page not found' : status >= 500 ? 'Something went wrong' : 'That did not work';
  return (
    <Layout site={site} head={{ title, path, noindex: true }}>
      <div class="reading error-page">
        <p class="eyebrow">Error {status}</p>
        <h1>{title}</h1>
        <p>{message}</p>
        <p>
          <a href={urls.home()}>Go to the latest reviews</a> or search above.
        </p>
      </div>
    </Layout>
  );
}

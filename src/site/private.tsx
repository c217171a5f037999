/**
 * What every signed-in page shares: the frame (never indexed; the answer is sent private by
 * `sendPage(…, { private: true })`), the hidden CSRF field every form carries, and the notice
 * shown after a change.
 */
import type { ComponentChildren } from 'preact';
import { Layout } from './layout.js';
import type { Site } from './site.context.js';

/** `class`: the wrapper's classes (none: the children bring their own); `scripts`: see `PageHead.scripts`. */
export function Private({ site, title, path, children, class: className = 'page-narrow', scripts }: { site: Site; title: string; path: string; children: ComponentChildren; class?: string | null; scripts?: string[] }) {
  return (
    <Layout site={site} head={{ title, path, noindex: true, ...(scripts && { scripts }) }}>
      {className ? <div class={className}>{children}</div> : children}
    </Layout>
  );
}

/** The session's CSRF token, which every signed-in form sends back. */
export function Csrf({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

export function Notice({ text }: { text?: string }) {
  return text ? (
    <p class="notice" role="status">
      {text}
    </p>
  ) : null;
}

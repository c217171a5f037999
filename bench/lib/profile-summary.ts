/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): where the samples went, by package or
 * source file (self time), the hottest functions (self time), and the project functions with the
 * most inclusive time (the function or anything it called).
 *
 *   npx tsx bench/lib/profile-summary.ts FILE.cpuprofile [--top 25] [--from S] [--to S]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** "kysely", "fastify", "src/works/works.repository.ts", "(garbage collector)", "node:internal"… */
export function areaOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native/V8)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node internals';
  const src = url.match(/\/(src|dist|bench)\/(.*)$/);
  if (src) return `${src[1]}/${src[2]}`;
  return url;
}

export interface ProfileSummary {
  /** Busy (non-idle) sampled time. */
  totalMs: number;
  idleMs: number;
  areas: { area: string; ms: number; percent: number }[];
  selfTop: { fn: string; ms: number; percent: number }[];
  inclusiveTop: { fn: string; ms: number; percent: number }[];
}

/**
 * `window` (ms since the profile started) keeps only the samples taken in it, e.g. the measured
 * load run without start-up and warm-up. Percentages are of the busy time (idle samples left out).
 */
export function summarise(
  profile: Profile,
  top = 25,
  window: { fromMs?: number; toMs?: number } = {},
  inclusiveFilter: (area: string) => boolean = (a) => a.startsWith('src/') || a.startsWith('dist/'),
): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfMs = new Map<number, number>();
  let at = 0;
  let idleMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    at += ms;
    if (window.fromMs !== undefined && at < window.fromMs) return;
    if (window.toMs !== undefined && at > window.toMs) return;
    if (byId.get(id)?.callFrame.functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    selfMs.set(id, (selfMs.get(id) ?? 0) + ms);
  });
  const totalMs = [...selfMs.values()].reduce((a, b) => a + b, 0);
  const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${areaOf(n.callFrame.url, n.callFrame.functionName)}:${n.callFrame.lineNumber + 1}`;

  const areas = new Map<string, number>();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const node = byId.get(id)!;
    const area = areaOf(node.callFrame.url, node.callFrame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    self.set(label(node), (self.get(label(node)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      if (!inclusiveFilter(areaOf(n.callFrame.url, n.callFrame.functionName))) continue;
      const l = label(n);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + ms);
    }
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => ({ k, ms: Math.round(ms), percent: Math.round((ms / totalMs) * 1000) / 10 }));
  return {
    totalMs: Math.round(totalMs),
    idleMs: Math.round(idleMs),
    areas: rank(areas).map(({ k, ms, percent }) => ({ area: k, ms, percent })),
    selfTop: rank(self).map(({ k, ms, percent }) => ({ fn: k, ms, percent })),
    inclusiveTop: rank(inclusive).map(({ k, ms, percent }) => ({ fn: k, ms, percent })),
  };
}

export function formatSummary(s: ProfileSummary): string {
  const lines = [`busy: ${(s.totalMs / 1000).toFixed(1)} s (idle ${(s.idleMs / 1000).toFixed(1)} s, left out of the percentages)`, '', 'self time by area:'];
  for (const a of s.areas) lines.push(`  ${a.percent.toFixed(1).padStart(5)}%  ${String(a.ms).padStart(7)} ms  ${a.area}`);
  lines.push('', 'hottest functions (self):');
  for (const f of s.selfTop) lines.push(`  ${f.percent.toFixed(1).padStart(5)}%  ${String(f.ms).padStart(7)} ms  ${f.fn}`);
  lines.push('', 'project functions (inclusive):');
  for (const f of s.inclusiveTop) lines.push(`  ${f.percent.toFixed(1).padStart(5)}%  ${String(f.ms).padStart(7)} ms  ${f.fn}`);
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('profile-summary.ts')) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } } });
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    console.log(`== ${file}`);
    const window = { fromMs: values.from ? Number(values.from) * 1000 : undefined, toMs: values.to ? Number(values.to) * 1000 : undefined };
    console.log(formatSummary(summarise(profile, Number(values.top ?? 25), window)));
  }
}

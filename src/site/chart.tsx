/**
 * The score distribution of a work: ten half-star bars, drawn on the server as inline SVG
 * so it costs no script, no request and no inline style (the Content-Security-Policy
 * forbids `style=""`; colours come from the stylesheet's `.chart .bar`, which follows the
 * light and dark themes). The picture is hidden from assistive technology and a table with
 * the same numbers stands in for it, since a screen reader cannot read bar heights.
 */
import { formatNumber } from './components.js';

export const HISTOGRAM_BUCKETS = 10;

/** "½", "1", "1½" … "5": the half-star bucket `index` (0–9) as a short label. */
export function bucketLabel(index: number): string {
  const stars = (index + 1) / 2;
  const whole = Math.floor(stars);
  return stars === whole ? String(whole) : `${whole || ''}½`;
}

/** "0.5 stars", "1 star", "4.5 stars", for the spoken table. */
export function bucketName(index: number): string {
  const stars = (index + 1) / 2;
  return `${formatNumber(stars)} ${stars === 1 ? 'star' : 'stars'}`;
}

// The drawing's own coordinate system; the stylesheet scales it to the column.
const WIDTH = 220;
const HEIGHT = 110;
const TOP = 14;
const BOTTOM = 16;
const SLOT = WIDTH / HISTOGRAM_BUCKETS;
const BAR = SLOT - 4;

export function ScoreChart({ histogram, id = 'score-chart' }: { histogram: number[]; id?: string }) {
  const counts = Array.from({ length: HISTOGRAM_BUCKETS }, (_, i) => Math.max(0, Math.trunc(histogram[i] ?? 0)));
  const total = counts.reduce((a, b) => a + b, 0);
  const highest = Math.max(1, ...counts);
  const plot = HEIGHT - TOP - BOTTOM;
  return (
    <figure class="score-chart" aria-labelledby={`${id}-caption`}>
      <svg class="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width={WIDTH} height={HEIGHT} aria-hidden="true" focusable="false">
        <line class="baseline" x1="0" x2={WIDTH} y1={HEIGHT - BOTTOM + 0.5} y2={HEIGHT - BOTTOM + 0.5} />
        {counts.map((count, i) => {
          // A bucket with any score keeps a visible sliver, so one score among hundreds still shows.
          const height = count === 0 ? 0 : Math.max(2, Math.round((count / highest) * plot));
          const x = i * SLOT + (SLOT - BAR) / 2;
          const y = HEIGHT - BOTTOM - height;
          return (
            <g>
              {height > 0 && (
                <rect class="bar" x={x} y={y} width={BAR} height={height} rx="1.5">
                  <title>{`${bucketName(i)}: ${count}`}</title>
                </rect>
              )}
              {count > 0 && (
                <text class="axis count" x={x + BAR / 2} y={y - 3} text-anchor="middle">
                  {count}
                </text>
              )}
              <text class="axis" x={x + BAR / 2} y={HEIGHT - 4} text-anchor="middle">
                {bucketLabel(i)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption id={`${id}-caption`}>
        Score distribution, {total} {total === 1 ? 'score' : 'scores'}, in half stars
      </figcaption>
      <table class="visually-hidden">
        <caption>Number of scores at each star rating</caption>
        <thead>
          <tr>
            <th scope="col">Stars</th>
            <th scope="col">Scores</th>
          </tr>
        </thead>
        <tbody>
          {counts.map((count, i) => (
            <tr>
              <th scope="row">{bucketName(i)}</th>
              <td>{count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

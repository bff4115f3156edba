// Weekly charts with uPlot (served by the central from the installed package: no CDN, works
// offline), each followed by the same figures as a table, for screen readers, for copying and for
// checking: every cell keeps its exact value in data-ms (milliseconds) or data-n.
import uPlot from './uPlot.esm.js';
import { h, table } from './dom.js';
import { fmtNumber, t } from './i18n.js';

// Distinct, readable on white, and told apart by dash patterns too (not by colour alone).
const COLORS = ['#0b5394', '#b45f06', '#38761d', '#990000', '#674ea7', '#45818e', '#7f6000', '#a64d79'];
const DASHES = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4], [1, 2], [12, 6], [6, 2, 2, 2]];
export const HOUR_MS = 3_600_000;

// uPlot's own stylesheet, added to the page with the first chart (not part of the first view).
if (!document.querySelector('link[href="/dashboard/uPlot.min.css"]')) document.head.append(h('link', { rel: 'stylesheet', href: '/dashboard/uPlot.min.css' }));

const hours = (ms) => Math.round((ms / HOUR_MS) * 10) / 10;
/** A week's label: its first day, d/m. */
export function weekLabel(iso) {
  const d = new Date(Date.parse(iso) + 7 * HOUR_MS);
  return `${d.getUTCDate()}/${d.getUTCMonth() + 1}`;
}

function size(box) {
  const width = Math.max(260, Math.floor(box.clientWidth || box.parentElement?.clientWidth || 600));
  return { width, height: Math.round(Math.min(300, Math.max(180, width * 0.4))) };
}

/**
 * A chart of weekly figures: { id, title, weeks: [{from,to}], series: [{ label, values }], unit: 'hours'|'count' }.
 * Values are ms for hours (shown in hours), plain counts otherwise.
 */
export function weeklyChart({ id, title, weeks, series, unit = 'hours' }) {
  const box = h('div', { class: 'chart', 'aria-hidden': 'true' });
  const caption = h('figcaption', { id: `${id}-title` }, title);
  const toY = (v) => (unit === 'hours' ? hours(v) : v);
  const cell = (v) => h('span', unit === 'hours' ? { 'data-ms': String(v) } : { 'data-n': String(v) }, unit === 'hours' ? fmtNumber(v / HOUR_MS, 1) : fmtNumber(v));
  const figures = table(
    title,
    [t('trends.week'), ...series.map((s) => s.label)],
    weeks.map((w, i) => [weekLabel(w.from), ...series.map((s) => cell(s.values[i] ?? 0))]),
    'figures',
  );
  const figure = h(
    'figure',
    { class: 'card chart-card', id, 'aria-labelledby': `${id}-title` },
    caption,
    box,
    h('details', {}, h('summary', {}, t('trends.asTable')), figures),
  );
  // Drawn once in the page (uPlot measures its box); redrawn at the new width when it changes.
  requestAnimationFrame(() => {
    if (!box.isConnected) return;
    const px = parseFloat(getComputedStyle(document.body).fontSize) || 16;
    const font = `${Math.round(px * 0.75)}px system-ui, sans-serif`;
    const xs = weeks.map((w) => Date.parse(w.from) / 1000);
    const plot = new uPlot(
      {
        ...size(box),
        scales: { x: { time: true } },
        legend: { live: false },
        series: [
          { label: t('trends.week'), value: (_u, v) => (v == null ? '—' : weekLabel(new Date(v * 1000).toISOString())) },
          ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], dash: DASHES[i % DASHES.length], width: 2, points: { show: true, size: 4 }, value: (_u, v) => (v == null ? '—' : fmtNumber(v, unit === 'hours' ? 1 : 0)) })),
        ],
        axes: [
          // A tick per week, at its first day; every other one labelled when the chart is narrow.
          { font, splits: () => xs, values: (u, ticks) => ticks.map((v, i) => (u.width < 640 && i % 2 ? '' : weekLabel(new Date(v * 1000).toISOString()))) },
          { font, label: unit === 'hours' ? t('trends.hoursAxis') : t('trends.countAxis'), labelFont: font, size: Math.round(px * 3.5) },
        ],
      },
      [xs, ...series.map((s) => s.values.map(toY))],
      box,
    );
    const watch = new ResizeObserver(() => {
      if (!box.isConnected) return watch.disconnect();
      const next = size(box);
      if (next.width !== plot.width) plot.setSize(next);
    });
    watch.observe(box);
  });
  return figure;
}

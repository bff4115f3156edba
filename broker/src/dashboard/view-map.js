// The district map: the city's districts (schematic shapes the product ships: district-shapes.js)
// coloured by status (the share of a district's units used in the last 7 days) or by use (its
// kit-hours this quarter), a summary per district, and, for the district picked (#/map/ID), its
// units. Kept current by the live stream. Every shape is a link with its figures in words.
import { api } from './api.js';
import { HOUR_MS } from './charts.js';
import { DISTRICT_SHAPES, MAP_BOX } from './district-shapes.js';
import { field, h, replace, select, table } from './dom.js';
import { fmtDate, fmtNumber, lang, t } from './i18n.js';
import { subscribeLive } from './live.js';
import { districtName, STATUSES, statusBadge, unitLink } from './view-overview.js';

const SVG = 'http://www.w3.org/2000/svg';
// Five classes on a sequential scale, light to dark (style.css .fill-N; labels turn white on the
// two darkest); grey: no units.
const SCALE = [0, 1, 2, 3, 4];
let mode = 'status';

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');

/** Per district: units by status, e-stops, and (in use mode) kit-hours this quarter. */
function summarise(units, districts, trends) {
  const hours = new Map((trends?.districts ?? []).map((d) => [d.district, d.usedMs]));
  return districts.map((d) => {
    const mine = units.filter((u) => u.district === d.id);
    const counts = Object.fromEntries(STATUSES.map((s) => [s, mine.filter((u) => u.status === s).length]));
    const used = counts['in-use'] + counts.active;
    return { id: d.id, units: mine.length, counts, used, share: mine.length ? used / mine.length : null, estops: mine.filter((u) => u.estopLatched).length, usedMs: hours.get(d.id) ?? 0 };
  });
}

/** The class of a value on the scale: status by share (fifths); use by share of the busiest district. */
function level(row, max) {
  if (row.units === 0) return null;
  const x = mode === 'status' ? row.share : max > 0 ? row.usedMs / max : 0;
  return Math.min(SCALE.length - 1, Math.floor(x * SCALE.length));
}

function legend(max) {
  const steps = SCALE.map((i) => {
    const lo = i / SCALE.length;
    const hi = (i + 1) / SCALE.length;
    const text = mode === 'status' ? `${fmtNumber(lo * 100)}–${fmtNumber(hi * 100)} %` : `${fmtNumber((lo * max) / HOUR_MS)}–${fmtNumber((hi * max) / HOUR_MS)} ${t('trends.hoursAxis')}`;
    return h('li', {}, h('span', { class: `swatch swatch-${i}`, 'aria-hidden': 'true' }), text);
  });
  return h('ul', { class: 'legend', 'aria-label': t('map.legend') }, steps, h('li', {}, h('span', { class: 'swatch swatch-none', 'aria-hidden': 'true' }), t('map.noUnits')));
}

function describe(row, districts) {
  const name = districtName(districts, row.id);
  if (row.units === 0) return `${name}: ${t('map.noUnits')}`;
  const base = t('map.shapeText', { name, units: fmtNumber(row.units), used: fmtNumber(row.used) });
  const extra = mode === 'use' ? ` ${t('map.hoursText', { h: fmtNumber(row.usedMs / HOUR_MS, 1) })}` : '';
  return `${base}${extra}${row.estops ? ` ${t('map.estopText', { n: fmtNumber(row.estops) })}` : ''}`;
}

function drawMap(rows, districts, picked) {
  const max = Math.max(0, ...rows.map((r) => r.usedMs));
  // The picked district last: its outline over its neighbours' edges.
  const shapes = [...rows].sort((a, b) => (a.id === picked) - (b.id === picked)).map((row) => {
    const shape = DISTRICT_SHAPES[row.id];
    if (!shape) return null;
    const l = level(row, max);
    const text = describe(row, districts);
    return svg(
      'a',
      { href: `#/map/${encodeURIComponent(row.id)}`, 'aria-label': text, class: `district${row.id === picked ? ' picked' : ''}`, 'data-district': row.id, 'data-level': l ?? 'none' },
      svg('title', {}, text),
      svg('path', { d: shape.path, class: `fill-${l ?? 'none'}` }),
    );
  });
  // Names and e-stop dots over every shape (a later shape would paint over an earlier one's name).
  const labels = rows.map((row) => {
    const shape = DISTRICT_SHAPES[row.id];
    if (!shape) return null;
    const l = level(row, max);
    return [
      svg('text', { x: shape.label[0], y: shape.label[1], class: `label${l !== null && l >= SCALE.length - 2 ? ' on-dark' : ''}`, 'text-anchor': 'middle', 'dominant-baseline': 'middle' }, lang() === 'vi' ? shape.short : fold(shape.short)),
      row.estops ? svg('circle', { cx: shape.label[0] + 22, cy: shape.label[1] - 10, r: 6, class: 'estop-dot' }) : null,
    ];
  });
  return h(
    'div',
    { class: 'map-wrap' },
    svg('svg', { viewBox: `0 0 ${MAP_BOX.width} ${MAP_BOX.height}`, class: 'district-map', role: 'group', 'aria-label': t('map.title') }, shapes, svg('g', { 'aria-hidden': 'true', class: 'labels' }, labels.flat())),
    legend(max),
  );
}

function summaryTable(rows, districts) {
  const used = rows.filter((r) => r.units > 0).sort((a, b) => districtName(districts, a.id).localeCompare(districtName(districts, b.id), lang()));
  return table(
    t('map.summary'),
    [t('overview.district'), t('map.units'), ...STATUSES.map((s) => t(`status.${s}`)), t('estop.card'), ...(mode === 'use' ? [t('trends.totalHours')] : [])],
    used.map((r) => [
      h('a', { href: `#/map/${encodeURIComponent(r.id)}` }, districtName(districts, r.id)),
      h('span', { 'data-units': String(r.units) }, fmtNumber(r.units)),
      ...STATUSES.map((s) => h('span', { 'data-status': s, 'data-n': String(r.counts[s]) }, fmtNumber(r.counts[s]))),
      fmtNumber(r.estops),
      ...(mode === 'use' ? [h('span', { 'data-ms': String(r.usedMs) }, fmtNumber(r.usedMs / HOUR_MS, 1))] : []),
    ]),
    'district-summary stack',
  );
}

function districtUnits(units, districts, id) {
  const mine = units.filter((u) => u.district === id).sort((a, b) => a.name[lang()].localeCompare(b.name[lang()], lang()));
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'district-h', 'data-district': id },
    h('h2', { id: 'district-h' }, t('map.unitsIn', { name: districtName(districts, id) })),
    mine.length === 0
      ? h('p', { class: 'empty' }, t('map.noUnits'))
      : table(
          t('map.unitsIn', { name: districtName(districts, id) }),
          [t('overview.colName'), t('overview.colStatus'), t('overview.kind'), t('overview.colLastUsed')],
          mine.map((u) => [unitLink(u), [statusBadge(u.status), u.estopLatched ? [' ', h('span', { class: 'badge estop' }, t('estop.badge'))] : null], t(`kind.${u.kind}`), u.lastUsed ? fmtDate(u.lastUsed) : '—']),
          'units stack',
        ),
  );
}

export async function renderMap(ctx, picked) {
  let { units, districts } = await api('/api/v1/units');
  let trends = mode === 'use' ? await api('/api/v1/trends') : null;
  if (!ctx.current()) return;
  const colour = select({ name: 'colour' }, [['status', t('map.byStatus')], ['use', t('map.byUse')]], mode);
  const body = h('div');
  const draw = () => {
    const rows = summarise(units, districts, trends);
    replace(
      body,
      h('div', { class: 'map-layout' }, drawMap(rows, districts, picked), h('div', {}, picked ? districtUnits(units, districts, picked) : h('p', { class: 'muted' }, t('map.pickHint')))),
      h('h2', {}, t('map.summary')),
      summaryTable(rows, districts),
    );
  };
  colour.addEventListener('change', async () => {
    mode = colour.value;
    if (mode === 'use' && !trends) trends = await api('/api/v1/trends');
    if (ctx.current()) draw();
  });
  replace(
    ctx.main,
    h('h1', { tabindex: '-1' }, t('map.title')),
    h('p', { class: 'muted' }, t('map.schematic')),
    h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() }, field(t('map.colourBy'), colour)),
    body,
  );
  draw();
  subscribeLive(ctx, {
    onChange: async () => {
      const next = await api('/api/v1/units');
      if (!ctx.current()) return;
      units = next.units;
      draw();
    },
  });
}

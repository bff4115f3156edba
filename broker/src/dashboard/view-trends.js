// Trends of a quarter (GET /api/v1/trends, docs/dashboard.md): kit-hours per week by kind of
// equipment, by district and for one unit; faults per week; share of school time; the most and
// least used kits; equipment never used (candidates to move); each unit's figures. Every chart
// has its table (charts.js).
import { api } from './api.js';
import { weeklyChart, HOUR_MS } from './charts.js';
import { field, h, notice, replace, select, table } from './dom.js';
import { errorText, fmtNumber, lang, t } from './i18n.js';
import { districtName } from './view-overview.js';
import { recentQuarters } from './view-reports.js';

const TOP_DISTRICTS = 6;
let chosen = null;

const quarterName = (id) => t('reports.quarterName', { q: id.slice(5), year: id.slice(0, 4) });
const hoursText = (ms) => fmtNumber(ms / HOUR_MS, 1);
const pct = (x) => (x === null ? '—' : `${fmtNumber(x * 100, 1)} %`);
const stat = (value, label, attrs = {}) => h('div', { class: 'stat', ...attrs }, h('span', { class: 'stat-value' }, value), h('span', { class: 'stat-label' }, label));

function unitLinkById(units, id) {
  const u = units.find((x) => x.id === id);
  return h('a', { href: `#/unit/${encodeURIComponent(id)}` }, u ? u.name[lang()] : id);
}

function kitTable(caption, kits, units) {
  return table(
    caption,
    [t('overview.colName'), t('unit.kit'), t('trends.category'), t('reports.colHours'), t('reports.colSessions')],
    kits.map((k) => [unitLinkById(units, k.unit), k.kit, t(`reports.category.${k.category}`), h('span', { 'data-ms': String(k.usedMs) }, hoursText(k.usedMs)), fmtNumber(k.sessions)]),
    'kits',
  );
}

function draw(trends, units, districts) {
  const total = trends.categories.reduce((a, c) => a + c.usedMs, 0);
  // Units with something to show: used, faulted or repaired this quarter (the rest are counted, not listed).
  const byHours = trends.units.filter((u) => u.usedMs > 0 || u.faults > 0 || u.repairs > 0).sort((a, b) => b.usedMs - a.usedMs || a.unit.localeCompare(b.unit));
  const quiet = trends.units.length - byHours.length;
  const topDistricts = [...trends.districts].sort((a, b) => b.usedMs - a.usedMs || a.district.localeCompare(b.district)).slice(0, TOP_DISTRICTS);
  const unitPick = select({ name: 'unit' }, byHours.map((u) => [u.unit, units.find((x) => x.id === u.unit)?.name[lang()] ?? u.unit]), byHours[0]?.unit);
  const unitChart = h('div');
  const drawUnit = () => {
    const u = trends.units.find((x) => x.unit === unitPick.value);
    if (u) replace(unitChart, weeklyChart({ id: 'chart-unit', title: t('trends.unitChart', { name: unitPick.selectedOptions[0]?.textContent ?? u.unit }), weeks: trends.weeks, series: [{ label: t('reports.colHours'), values: u.perWeek }] }));
  };
  unitPick.addEventListener('change', drawUnit);
  drawUnit();
  const faults = trends.faults;
  return [
    h(
      'section',
      { class: 'stats', 'aria-label': t('trends.summary') },
      stat(hoursText(total), t('trends.totalHours'), { 'data-ms': String(total) }),
      stat(pct(trends.schoolTimeShare), t('trends.schoolShare')),
      stat(fmtNumber(faults.total), t('reports.colFaults'), { 'data-faults': String(faults.total) }),
      stat(fmtNumber(faults.repairs), t('trends.repairs'), { 'data-repairs': String(faults.repairs) }),
      stat(fmtNumber(faults.unrepaired), t('trends.unrepaired')),
    ),
    h('p', { class: 'muted' }, t('trends.definition')),
    weeklyChart({ id: 'chart-categories', title: t('trends.byCategory'), weeks: trends.weeks, series: trends.categories.map((c) => ({ label: t(`reports.category.${c.category}`), values: c.perWeek })) }),
    table(
      t('trends.byCategory'),
      [t('trends.category'), t('reports.colKits'), t('reports.colHours'), t('trends.schoolShare')],
      trends.categories.map((c) => [t(`reports.category.${c.category}`), fmtNumber(c.kits), h('span', { 'data-ms': String(c.usedMs) }, hoursText(c.usedMs)), pct(c.schoolTimeShare)]),
      'categories',
    ),
    h(
      'section',
      { 'aria-labelledby': 'types-h' },
      h('h2', { id: 'types-h' }, t('trends.byComponent')),
      h('p', { class: 'muted' }, t('trends.byComponentHint')),
      table(
        t('trends.byComponent'),
        [t('trends.componentType'), t('trends.devices'), t('trends.deviceHours'), t('reports.colSessions'), t('trends.idleDevices'), t('trends.schoolShare')],
        trends.componentTypes.map((c) => [c.name[lang()], fmtNumber(c.devices), h('span', { 'data-ms': String(c.usedMs), 'data-type': c.deviceType }, hoursText(c.usedMs)), fmtNumber(c.sessions), fmtNumber(c.idle), pct(c.schoolTimeShare)]),
        'component-types stack',
      ),
    ),
    weeklyChart({ id: 'chart-districts', title: t('trends.byDistrict', { n: String(topDistricts.length) }), weeks: trends.weeks, series: topDistricts.map((d) => ({ label: districtName(districts, d.district), values: d.perWeek })) }),
    byHours.length ? h('section', { class: 'card' }, h('h2', {}, t('trends.oneUnit')), h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() }, field(t('admin.unit'), unitPick)), unitChart) : null,
    weeklyChart({ id: 'chart-faults', title: t('trends.faultsChart'), weeks: trends.weeks, unit: 'count', series: [{ label: t('reports.colFaults'), values: faults.perWeek }] }),
    table(
      t('trends.repairTable'),
      [t('trends.category'), t('reports.colFaults'), t('trends.repairs'), t('trends.repairMedian'), t('trends.unrepaired')],
      faults.byCategory.map((c) => [t(`reports.category.${c.category}`), fmtNumber(c.faults), fmtNumber(c.repairs), c.repairMedianMs === null ? '—' : t('trends.hoursValue', { h: hoursText(c.repairMedianMs) }), fmtNumber(c.unrepaired)]),
      'repairs',
    ),
    h('section', { 'aria-labelledby': 'most-h' }, h('h2', { id: 'most-h' }, t('trends.mostUsed')), kitTable(t('trends.mostUsed'), trends.kits.most, units)),
    h('section', { 'aria-labelledby': 'least-h' }, h('h2', { id: 'least-h' }, t('trends.leastUsed')), kitTable(t('trends.leastUsed'), trends.kits.least, units)),
    h(
      'section',
      { 'aria-labelledby': 'never-h' },
      h('h2', { id: 'never-h' }, t('trends.neverUsed')),
      h('p', { class: 'muted' }, t('trends.neverUsedHint')),
      trends.neverUsed.length === 0
        ? h('p', { class: 'empty' }, t('trends.noneIdle'))
        : table(
            t('trends.neverUsed'),
            [t('overview.colName'), t('trends.category'), t('unit.kits'), t('trends.components')],
            trends.neverUsed.map((n) => [unitLinkById(units, n.unit), t(`reports.category.${n.category}`), n.kits.join(', ') || '—', n.components.join(', ') || '—']),
            'never-used stack',
          ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'units-h' },
      h('h2', { id: 'units-h' }, t('trends.perUnit')),
      quiet ? h('p', { class: 'muted' }, t('trends.quietUnits', { n: fmtNumber(quiet) })) : null,
      table(
        t('trends.perUnit'),
        [t('overview.colName'), t('overview.district'), t('reports.colHours'), t('trends.schoolShare'), t('reports.colFaults'), t('trends.repairs'), t('trends.repairMean')],
        byHours.map((u) => [
          unitLinkById(units, u.unit),
          districtName(districts, u.district),
          h('span', { 'data-ms': String(u.usedMs) }, hoursText(u.usedMs)),
          pct(u.schoolTimeShare),
          fmtNumber(u.faults),
          fmtNumber(u.repairs),
          u.repairs ? t('trends.hoursValue', { h: hoursText(u.repairTotalMs / u.repairs) }) : '—',
        ]),
        'per-unit stack',
      ),
    ),
  ];
}

export async function renderTrends(ctx) {
  const { units, districts } = await api('/api/v1/units');
  if (!ctx.current()) return;
  const quarters = recentQuarters();
  chosen ??= quarters[0];
  const quarter = select({ name: 'quarter' }, quarters.map((q) => [q, quarterName(q)]), chosen);
  const result = h('div', { class: 'trends' });
  const messages = h('div', { class: 'messages' });
  const show = async () => {
    chosen = quarter.value;
    replace(messages);
    replace(result, h('p', { class: 'loading' }, t('common.loading')));
    try {
      const trends = await api(`/api/v1/trends?quarter=${chosen}`);
      if (ctx.current()) replace(result, draw(trends, units, districts));
    } catch (err) {
      replace(result);
      replace(messages, notice('error', errorText(err)));
    }
  };
  replace(
    ctx.main,
    h('h1', { tabindex: '-1' }, t('trends.title')),
    h('p', {}, t('trends.intro')),
    h('form', { class: 'filters', onsubmit: (e) => (e.preventDefault(), void show()) }, field(t('reports.quarter'), quarter), h('button', { type: 'submit', class: 'primary' }, t('trends.show'))),
    messages,
    result,
  );
  await show();
}

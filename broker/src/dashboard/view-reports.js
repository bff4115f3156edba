// The quarterly report: pick a quarter, see each unit's data completeness and use, download it
// as CSV, JSON or XLSX (in the language of the dashboard).
import { api, download } from './api.js';
import { field, h, notice, replace, select, table } from './dom.js';
import { errorText, fmtDate, fmtNumber, lang, t } from './i18n.js';
import { districtName } from './view-overview.js';

const TZ_OFFSET_MS = 7 * 3_600_000; // Asia/Ho_Chi_Minh, no daylight saving

/** The current quarter in Vietnam and the seven before it, newest first: ['2025Q3', ...]. */
export function recentQuarters(now = Date.now(), count = 8) {
  const local = new Date(now + TZ_OFFSET_MS);
  let year = local.getUTCFullYear();
  let q = Math.floor(local.getUTCMonth() / 3) + 1;
  const out = [];
  for (let i = 0; i < count; i++) {
    out.push(`${year}Q${q}`);
    if (--q === 0) [q, year] = [4, year - 1];
  }
  return out;
}

const quarterName = (id) => t('reports.quarterName', { q: id.slice(5), year: id.slice(0, 4) });
let chosen = null;

/** The report's own figures (never re-added here): the totals per category, and each unit's kits. */
function summary(report, districts) {
  const c = report.completeness;
  const stat = (value, label) => h('div', { class: 'stat' }, h('span', { class: 'stat-value' }, value), h('span', { class: 'stat-label' }, label));
  return h(
    'div',
    {},
    h('p', {}, t('reports.deadline', { date: fmtDate(report.deadline) }), ' · ', t('reports.generated', { date: fmtDate(report.generatedAt) })),
    h(
      'section',
      { class: 'stats', 'aria-label': t('reports.completeness') },
      stat(fmtNumber(c.complete), t('dataStatus.complete')),
      stat(fmtNumber(c.incomplete), t('dataStatus.incomplete')),
      stat(fmtNumber(c.noData), t('dataStatus.no-data')),
    ),
    report.totals.map((total) =>
      h(
        'section',
        { class: 'stats', 'aria-label': t(`reports.category.${total.category}`) },
        h('h2', {}, t(`reports.category.${total.category}`)),
        stat(fmtNumber(total.kits), t('reports.colKits')),
        stat(fmtNumber(total.hoursUsed, 1), t('reports.colHours')),
        stat(fmtNumber(total.sessions), t('reports.colSessions')),
        stat(fmtNumber(total.faults), t('reports.colFaults')),
      ),
    ),
    h('p', { class: 'completeness' }, c.summary[lang()]),
    report.definitions.length ? h('ul', { class: 'notes' }, report.definitions.map((n) => h('li', {}, n[lang()]))) : null,
    incomplete(report),
    table(
      t('reports.units'),
      [t('overview.colName'), t('overview.district'), t('reports.colData'), t('reports.colHours'), t('reports.colSessions'), t('reports.colFaults')],
      report.units.map((u) => [
        u.registered ? h('a', { href: `#/unit/${encodeURIComponent(u.unit)}` }, u.name ? u.name[lang()] : u.unit) : u.unit,
        u.district ? districtName(districts, u.district) : '—',
        h('span', { class: `badge ${u.status}` }, t(`dataStatus.${u.status}`)),
        fmtNumber(u.hoursUsed, 1),
        fmtNumber(u.sessions),
        fmtNumber(u.faults),
      ]),
      'report-units',
    ),
  );
}

/** The units whose data is not complete, and why, gateway by gateway: each a link to its page. */
function incomplete(report) {
  const lines = report.gateways.filter((g) => g.status !== 'complete');
  return h(
    'section',
    { class: 'incomplete', 'aria-labelledby': 'incomplete-h' },
    h('h2', { id: 'incomplete-h' }, t('reports.incompleteTitle')),
    lines.length === 0
      ? h('p', {}, t('reports.incompleteNone'))
      : table(
          t('reports.incompleteTitle'),
          [t('overview.colName'), t('reports.colGateway'), t('reports.colData'), t('reports.colMissing'), t('reports.colEvicted'), t('reports.colUptime')],
          lines.map((g) => {
            const u = report.units.find((x) => x.unit === g.unit);
            return [
              h('a', { href: `#/unit/${encodeURIComponent(g.unit)}` }, u?.name ? u.name[lang()] : g.unit),
              g.gateway,
              h('span', { class: `badge ${g.status}` }, t(`dataStatus.${g.status}`)),
              fmtNumber(g.missing),
              fmtNumber(g.evicted),
              g.uptimeShare === null ? '—' : `${fmtNumber(g.uptimeShare * 100, 1)} %`,
            ];
          }),
          'incomplete-units stack',
        ),
  );
}

/** The copies the central archived before each deadline, as submitted; files in the dashboard's language. */
function archivedList(reports, fetchFile) {
  if (reports.length === 0) return h('p', {}, t('reports.archiveNone'));
  const mine = (file) => file.endsWith('.json') || file.includes(`-${lang()}.`);
  return table(
    t('reports.archiveTitle'),
    [t('reports.quarter'), t('reports.colGenerated'), t('reports.colSubmitted'), t('reports.download')],
    reports.map((r) => [
      quarterName(r.quarter),
      fmtDate(r.generatedAt),
      h('span', { class: `badge ${r.onTime ? 'complete' : 'incomplete'}` }, t(r.onTime ? 'reports.onTime' : 'reports.late')),
      h('span', { class: 'downloads' }, r.files.filter(mine).map((file) => h('button', { type: 'button', onclick: fetchFile(r.quarter, file) }, t(`reports.${file.slice(file.lastIndexOf('.') + 1)}`)))),
    ]),
  );
}

export async function renderReports(ctx) {
  const { districts } = await api('/api/v1/units');
  const quarters = recentQuarters();
  chosen ??= quarters[0];
  const quarter = select({ name: 'quarter' }, quarters.map((q) => [q, quarterName(q)]), chosen);
  const result = h('div', { class: 'report' });
  const messages = h('div', { class: 'messages' });
  const url = (format) => `/api/v1/reports/quarterly?quarter=${chosen}&format=${format}&lang=${lang()}`;
  const show = async () => {
    chosen = quarter.value;
    replace(messages);
    replace(result, h('p', { class: 'loading' }, t('common.loading')));
    try {
      const report = await api(url('json'));
      if (ctx.current()) replace(result, summary(report, districts));
    } catch (err) {
      replace(result);
      replace(messages, notice('error', errorText(err)));
    }
  };
  // Paths are read at the click: the quarter shown may have changed since the page was drawn.
  const fetching = (path, fallbackName) => async () => {
    replace(messages);
    try {
      const name = await download(typeof path === 'function' ? path() : path, typeof fallbackName === 'function' ? fallbackName() : fallbackName);
      replace(messages, notice('info', t('reports.downloaded', { name })));
    } catch (err) {
      replace(messages, notice('error', errorText(err)));
    }
  };
  const get = (format) => fetching(() => url(format), () => `stemlab-${chosen}.${format}`);
  const archived = h('section', { class: 'archive', 'aria-labelledby': 'archive-title' });
  const { reports: submitted } = await api('/api/v1/reports/archive');
  replace(
    archived,
    h('h2', { id: 'archive-title' }, t('reports.archiveTitle')),
    h('p', {}, t('reports.archiveIntro')),
    archivedList(submitted, (quarter, file) => fetching(`/api/v1/reports/archive/${quarter}/${file}`, file)),
  );
  replace(
    ctx.main,
    h('h1', { tabindex: '-1' }, t('reports.title')),
    h('p', {}, t('reports.intro')),
    deadlineNotice(new Date()),
    h(
      'form',
      { class: 'filters', onsubmit: (e) => (e.preventDefault(), void show()) },
      field(t('reports.quarter'), quarter),
      h('button', { type: 'submit', class: 'primary' }, t('reports.show')),
    ),
    h(
      'div',
      { class: 'downloads', role: 'group', 'aria-label': t('reports.download') },
      h('span', {}, t('reports.download')),
      ['csv', 'xlsx', 'json'].map((format) => h('button', { type: 'button', onclick: get(format) }, t(`reports.${format}`))),
    ),
    messages,
    result,
    archived,
  );
  await show();
}

/** The next of the department's deadlines (25/3, 25/6, 25/9, 25/12), counted in Ho Chi Minh City days. */
export function nextDeadline(now) {
  const local = new Date(now.getTime() + 7 * 3_600_000);
  const today = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  for (let y = local.getUTCFullYear(); ; y++) {
    for (const m of [2, 5, 8, 11]) {
      const day = Date.UTC(y, m, 25);
      if (day >= today) return { date: new Date(day), days: Math.round((day - today) / 86_400_000) };
    }
  }
}

function deadlineNotice(now) {
  const { date, days } = nextDeadline(now);
  const when = `${date.getUTCDate()}/${date.getUTCMonth() + 1}/${date.getUTCFullYear()}`;
  return h('p', { class: `deadline${days <= 7 ? ' soon' : ''}`, role: 'status' }, t(days === 0 ? 'reports.deadlineToday' : 'reports.deadlineIn', { days: String(days), date: when }));
}

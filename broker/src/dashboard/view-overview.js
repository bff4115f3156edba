// The department's overview: units by kind, gateways online, units by status (cards that filter),
// and a compact, sortable list of units filtered by status, district, kind and level and searched
// by name or id; live units first. Statuses come from the central (api/unit-status.ts) and are
// kept current by the live stream (live.js) without reloading.
import { api } from './api.js';
import { field, h, replace, select } from './dom.js';
import { fmtDate, fmtNumber, lang, t } from './i18n.js';
import { subscribeLive } from './live.js';

export const KINDS = ['robot-club', 'lab-centre', 'smart-classroom'];
export const LEVELS = ['primary', 'lower-secondary', 'upper-secondary'];
export const STATUSES = ['in-use', 'active', 'idle', 'silent', 'never-installed'];
const PAGE = 25;

// Kept while the tab lives, so that coming back from a unit finds the same filters and order.
const filters = { q: '', status: '', district: '', kind: '', level: '', sort: 'status', desc: false, shown: PAGE };

/** Lower case without diacritics: "quan 1" finds "Quận 1". */
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'd').toLowerCase();

export function districtName(districts, id) {
  const d = districts.find((x) => x.id === id);
  return d ? d[lang()] : id;
}

/** How many units have an e-stop latched now: red when any, each named with a link. */
function estopCard(units) {
  const stopped = units.filter((u) => u.estopLatched);
  return h(
    'div',
    { class: `stat estop-card${stopped.length ? ' latched' : ''}`, 'data-estops': String(stopped.length) },
    h('span', { class: 'stat-value' }, fmtNumber(stopped.length)),
    h('span', { class: 'stat-label' }, t('estop.card')),
    stopped.length ? h('small', {}, stopped.map((u, i) => [i ? ', ' : '', unitLink(u)])) : null,
  );
}

function card(label, value, detail) {
  return h('div', { class: 'stat' }, h('span', { class: 'stat-value' }, value), h('span', { class: 'stat-label' }, label), detail ? h('small', {}, detail) : null);
}

export function unitLink(unit) {
  return h('a', { href: `#/unit/${encodeURIComponent(unit.id)}` }, unit.name[lang()]);
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}` }, t(`status.${status}`));
}

const rank = Object.fromEntries(STATUSES.map((s, i) => [s, i]));
const byName = (a, b) => a.name[lang()].localeCompare(b.name[lang()], lang());
const sorters = {
  status: (a, b) => rank[a.status] - rank[b.status] || byName(a, b),
  name: byName,
  district: (a, b, d) => districtName(d, a.district).localeCompare(districtName(d, b.district), lang()) || byName(a, b),
  // Most recent first when ascending: what a reader looks for.
  lastUsed: (a, b) => (b.lastUsed ?? '').localeCompare(a.lastUsed ?? '') || byName(a, b),
  lastSeen: (a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? '') || byName(a, b),
};

const ALERTS_SHOWN = 5;

/** What to act on now: the newest alerts, each linked to its unit; hidden when there are none. */
async function drawAlerts(ctx, box, units) {
  let list;
  try {
    ({ alerts: list } = await api('/api/v1/alerts'));
  } catch {
    return; // the overview stands without it; the next change tries again
  }
  if (!ctx.current()) return;
  box.hidden = list.length === 0;
  replace(
    box,
    h('h2', { id: 'alerts-h' }, t('alerts.title', { n: fmtNumber(list.length) })),
    h(
      'ul',
      {},
      list.slice(0, ALERTS_SHOWN).map((a) =>
        h('li', { class: `alert alert-${a.kind}`, 'data-kind': a.kind }, h('a', { href: `#/unit/${encodeURIComponent(a.unit)}` }, units.find((u) => u.id === a.unit)?.name[lang()] ?? a.unit), ': ', a.text[lang()], a.at ? h('small', { class: 'muted' }, ` · ${fmtDate(a.at)}`) : null),
      ),
    ),
    list.length > ALERTS_SHOWN ? h('p', { class: 'muted' }, t('alerts.more', { n: fmtNumber(list.length - ALERTS_SHOWN) })) : null,
  );
}

export async function renderOverview(ctx) {
  let { units, districts } = await api('/api/v1/units');
  if (!ctx.current()) return;

  const stats = h('section', { class: 'stats', 'aria-labelledby': 'stats-h' });
  const statusCards = h('section', { class: 'status-cards', 'aria-labelledby': 'status-h' });
  const search = h('input', { type: 'search', name: 'q', value: filters.q, placeholder: t('overview.searchHint') });
  const all = ['', t('common.all')];
  const usedDistricts = districts.filter((d) => units.some((u) => u.district === d.id));
  const status = select({ name: 'status' }, [all, ...STATUSES.map((s) => [s, t(`status.${s}`)])], filters.status);
  const district = select({ name: 'district' }, [all, ...usedDistricts.map((d) => [d.id, d[lang()]])], filters.district);
  const kind = select({ name: 'kind' }, [all, ...KINDS.map((k) => [k, t(`kind.${k}`)])], filters.kind);
  const level = select({ name: 'level' }, [all, ...LEVELS.map((l) => [l, t(`level.${l}`)])], filters.level);
  const count = h('p', { class: 'count', role: 'status' });
  const live = h('p', { class: 'live muted', 'aria-live': 'polite' });
  const results = h('div');
  const alertsBox = h('section', { class: 'alerts', 'aria-labelledby': 'alerts-h', hidden: true });

  const drawStats = () => {
    const gateways = units.flatMap((u) => u.gateways);
    replace(
      stats,
      h('h2', { id: 'stats-h', class: 'visually-hidden' }, t('overview.summary')),
      KINDS.map((k) => card(t(`kinds.${k}`), fmtNumber(units.filter((u) => u.kind === k).length))),
      card(t('overview.gatewaysOnline'), t('overview.xOfY', { x: fmtNumber(gateways.filter((g) => g.online).length), y: fmtNumber(gateways.length) })),
      estopCard(units),
    );
    replace(
      statusCards,
      h('h2', { id: 'status-h' }, t('overview.byStatus')),
      h(
        'div',
        { class: 'stats' },
        STATUSES.map((s) =>
          h(
            'button',
            { type: 'button', class: `stat status-card status-${s}`, 'data-status': s, 'aria-pressed': String(filters.status === s), onclick: () => { status.value = filters.status === s ? '' : s; refresh(true); } },
            h('span', { class: 'stat-value' }, fmtNumber(units.filter((u) => u.status === s).length)),
            h('span', { class: 'stat-label' }, t(`status.${s}`)),
          ),
        ),
      ),
    );
  };

  const header = (key, label) =>
    h('th', { scope: 'col', 'aria-sort': filters.sort === key ? (filters.desc ? 'descending' : 'ascending') : null },
      h('button', { type: 'button', class: 'sort', title: t('overview.sortBy', { column: label }), onclick: () => { filters.desc = filters.sort === key ? !filters.desc : false; filters.sort = key; refresh(); } }, label, filters.sort === key ? (filters.desc ? ' ▲' : ' ▼') : ''));

  const refresh = (reset = false) => {
    Object.assign(filters, { q: search.value, status: status.value, district: district.value, kind: kind.value, level: level.value });
    if (reset) filters.shown = PAGE;
    drawStats();
    const q = fold(filters.q.trim());
    const sorter = sorters[filters.sort] ?? sorters.status;
    const matching = units
      .filter((u) => (!filters.status || u.status === filters.status) && (!filters.district || u.district === filters.district) && (!filters.kind || u.kind === filters.kind) && (!filters.level || u.level === filters.level))
      .filter((u) => !q || fold(`${u.id} ${u.name.vi} ${u.name.en}`).includes(q))
      .sort((a, b) => sorter(a, b, districts) * (filters.desc ? -1 : 1));
    const shown = matching.slice(0, filters.shown);
    count.textContent = t('overview.showing', { shown: fmtNumber(matching.length), total: fmtNumber(units.length) });
    if (matching.length === 0) return replace(results, h('p', { class: 'empty' }, t('overview.noMatch')));
    const rest = matching.length - shown.length;
    replace(
      results,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'units stack' },
          h('caption', { class: 'visually-hidden' }, t('overview.units')),
          h('thead', {}, h('tr', {}, header('name', t('overview.colName')), header('status', t('overview.colStatus')), h('th', { scope: 'col' }, t('overview.kind')), header('district', t('overview.district')), h('th', { scope: 'col' }, t('overview.colGateways')), header('lastUsed', t('overview.colLastUsed')), header('lastSeen', t('overview.colLastSeen')))),
          h(
            'tbody',
            {},
            shown.map((u) =>
              h(
                'tr',
                { 'data-unit': u.id, 'data-status': u.status },
                h('td', { class: 'name' }, unitLink(u)),
                h('td', { 'data-label': t('overview.colStatus') }, statusBadge(u.status), u.estopLatched ? [' ', h('span', { class: 'badge estop' }, t('estop.badge'))] : null),
                h('td', { 'data-label': t('overview.kind') }, t(`kind.${u.kind}`), ' · ', t(`level.${u.level}`)),
                h('td', { 'data-label': t('overview.district') }, districtName(districts, u.district)),
                h('td', { 'data-label': t('overview.colGateways') }, h('span', { class: u.online ? 'ok' : 'off' }, t('overview.xOfY', { x: fmtNumber(u.gateways.filter((g) => g.online).length), y: fmtNumber(u.gateways.length) }))),
                h('td', { 'data-label': t('overview.colLastUsed') }, u.lastUsed ? fmtDate(u.lastUsed) : h('span', { class: 'muted' }, '—')),
                h('td', { 'data-label': t('overview.colLastSeen') }, u.lastSeen ? fmtDate(u.lastSeen) : h('span', { class: 'muted' }, t('common.never'))),
              ),
            ),
          ),
        ),
      ),
      rest > 0 ? h('button', { type: 'button', class: 'more', onclick: () => { filters.shown += PAGE * 4; refresh(); } }, t('overview.more', { n: fmtNumber(Math.min(rest, PAGE * 4)) })) : null,
    );
  };
  search.addEventListener('input', () => refresh(true));
  for (const s of [status, district, kind, level]) s.addEventListener('change', () => refresh(true));

  replace(
    ctx.main,
    h('h1', { tabindex: '-1' }, t('overview.title')),
    live,
    alertsBox,
    stats,
    statusCards,
    h(
      'section',
      { 'aria-labelledby': 'units-h' },
      h('h2', { id: 'units-h' }, t('overview.units')),
      h(
        'form',
        { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
        field(t('overview.search'), search),
        field(t('overview.status'), status),
        field(t('overview.district'), district),
        field(t('overview.kind'), kind),
        field(t('overview.level'), level),
      ),
      count,
      results,
    ),
  );
  refresh();
  // The alert feed (GET /api/v1/alerts) after the first view is drawn: it never delays it.
  void drawAlerts(ctx, alertsBox, units);

  // Live: a change the central sees re-reads the fleet's status (one request, debounced by live.js).
  subscribeLive(ctx, {
    onState: (ok) => (live.textContent = t(ok ? 'overview.live' : 'overview.liveOff')),
    onChange: async () => {
      const next = await api('/api/v1/units');
      if (!ctx.current()) return;
      units = next.units;
      refresh();
      await drawAlerts(ctx, alertsBox, units);
    },
  });
}

// The department's overview: units by kind, gateways online, units never seen, and the table of
// units filtered by district, kind and level and searched by name or id.
import { api } from './api.js';
import { field, h, replace, select, table } from './dom.js';
import { fmtDate, fmtNumber, lang, t } from './i18n.js';

export const KINDS = ['robot-club', 'lab-centre', 'smart-classroom'];
export const LEVELS = ['primary', 'lower-secondary', 'upper-secondary'];

// Kept while the tab lives, so that coming back from a unit finds the same filters.
const filters = { q: '', district: '', kind: '', level: '' };

/** Lower case without diacritics: "quan 1" finds "Quận 1". */
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'd').toLowerCase();

export function districtName(districts, id) {
  const d = districts.find((x) => x.id === id);
  return d ? d[lang()] : id;
}

function card(label, value, detail) {
  return h('div', { class: 'stat' }, h('span', { class: 'stat-value' }, value), h('span', { class: 'stat-label' }, label), detail ? h('small', {}, detail) : null);
}

export function unitLink(unit) {
  return h('a', { href: `#/unit/${encodeURIComponent(unit.id)}` }, unit.name[lang()]);
}

export async function renderOverview(ctx) {
  const { units, districts } = await api('/api/v1/units');
  if (!ctx.current()) return;
  const gateways = units.flatMap((u) => u.gateways);
  const online = gateways.filter((g) => g.online).length;
  const neverSeen = units.filter((u) => u.lastSeen === null).length;

  const stats = h(
    'section',
    { class: 'stats', 'aria-labelledby': 'stats-h' },
    h('h2', { id: 'stats-h', class: 'visually-hidden' }, t('overview.summary')),
    KINDS.map((k) => card(t(`kinds.${k}`), fmtNumber(units.filter((u) => u.kind === k).length))),
    card(t('overview.gatewaysOnline'), t('overview.xOfY', { x: fmtNumber(online), y: fmtNumber(gateways.length) })),
    card(t('overview.neverSeen'), fmtNumber(neverSeen)),
  );

  const search = h('input', { type: 'search', name: 'q', value: filters.q, placeholder: t('overview.searchHint') });
  const all = ['', t('common.all')];
  const usedDistricts = districts.filter((d) => units.some((u) => u.district === d.id));
  const district = select({ name: 'district' }, [all, ...usedDistricts.map((d) => [d.id, d[lang()]])], filters.district);
  const kind = select({ name: 'kind' }, [all, ...KINDS.map((k) => [k, t(`kind.${k}`)])], filters.kind);
  const level = select({ name: 'level' }, [all, ...LEVELS.map((l) => [l, t(`level.${l}`)])], filters.level);
  const count = h('p', { class: 'count', role: 'status' });
  const results = h('div');

  const refresh = () => {
    Object.assign(filters, { q: search.value, district: district.value, kind: kind.value, level: level.value });
    const q = fold(filters.q.trim());
    const shown = units
      .filter((u) => (!filters.district || u.district === filters.district) && (!filters.kind || u.kind === filters.kind) && (!filters.level || u.level === filters.level))
      .filter((u) => !q || fold(`${u.id} ${u.name.vi} ${u.name.en}`).includes(q))
      .sort((a, b) => a.name[lang()].localeCompare(b.name[lang()], lang()));
    count.textContent = t('overview.showing', { shown: fmtNumber(shown.length), total: fmtNumber(units.length) });
    if (shown.length === 0) return replace(results, h('p', { class: 'empty' }, t('overview.noMatch')));
    replace(
      results,
      table(
        t('overview.units'),
        [t('overview.colName'), t('overview.kind'), t('overview.level'), t('overview.district'), t('overview.colGateways'), t('overview.colLastSeen')],
        shown.map((u) => [
          unitLink(u),
          t(`kind.${u.kind}`),
          t(`level.${u.level}`),
          districtName(districts, u.district),
          h('span', { class: u.online ? 'ok' : 'off' }, t('overview.xOfY', { x: fmtNumber(u.gateways.filter((g) => g.online).length), y: fmtNumber(u.gateways.length) })),
          u.lastSeen ? fmtDate(u.lastSeen) : h('span', { class: 'muted' }, t('common.never')),
        ]),
        'units',
      ),
    );
  };
  search.addEventListener('input', refresh);
  for (const s of [district, kind, level]) s.addEventListener('change', refresh);

  replace(
    ctx.main,
    h('h1', { tabindex: '-1' }, t('overview.title')),
    stats,
    h(
      'section',
      { 'aria-labelledby': 'units-h' },
      h('h2', { id: 'units-h' }, t('overview.units')),
      h(
        'form',
        { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
        field(t('overview.search'), search),
        field(t('overview.district'), district),
        field(t('overview.kind'), kind),
        field(t('overview.level'), level),
      ),
      count,
      results,
    ),
  );
  refresh();
}

// One unit: each gateway's presence, its kits' states (fault reasons), latest readings and the
// data gaps not yet closed.
import { api } from './api.js';
import { h, replace, table } from './dom.js';
import { fmtDate, fmtNumber, lang, t } from './i18n.js';
import { districtName } from './view-overview.js';

function value(v) {
  if (typeof v === 'number') return fmtNumber(v);
  if (typeof v === 'boolean') return t(v ? 'common.yes' : 'common.no');
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function gatewaySection(g) {
  const headingId = `gw-${g.id}`;
  return h(
    'section',
    { class: 'card gateway', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, t('unit.gateway', { id: g.id }), g.registered ? null : h('small', {}, ` ${t('unit.notRegistered')}`)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('unit.status')),
      h('dd', {}, h('span', { class: g.online ? 'badge ok' : 'badge off' }, t(g.online ? 'common.online' : 'common.offline'))),
      h('dt', {}, t('unit.lastSeen')),
      h('dd', {}, g.lastSeen ? fmtDate(g.lastSeen) : t('common.never')),
      h('dt', {}, t('unit.agentVersion')),
      h('dd', {}, g.agentVersion ?? '—'),
    ),
    h('h3', {}, t('unit.kits')),
    g.kits.length === 0
      ? h('p', { class: 'empty' }, t('unit.noKits'))
      : table(
          t('unit.kits'),
          [t('unit.kit'), t('unit.state'), t('unit.reason'), t('unit.since')],
          g.kits.map((k) => [k.kit, h('span', { class: `badge ${k.state}` }, t(`kitState.${k.state}`)), k.reason ?? '—', fmtDate(k.at)]),
        ),
    h('h3', {}, t('unit.readings')),
    g.readings.length === 0
      ? h('p', { class: 'empty' }, t('unit.noReadings'))
      : table(
          t('unit.readings'),
          [t('unit.kit'), t('unit.component'), t('unit.value'), t('unit.at')],
          g.readings.map((r) => [r.kit, r.component, value(r.value), fmtDate(r.at)]),
        ),
    h('h3', {}, t('unit.gaps')),
    g.gaps.length === 0
      ? h('p', { class: 'empty' }, t('unit.noGaps'))
      : table(
          t('unit.gaps'),
          [t('unit.seqRange'), t('unit.missing'), t('unit.evicted'), t('unit.state'), t('unit.detected')],
          g.gaps.map((x) => [`${fmtNumber(x.fromSeq)}–${fmtNumber(x.toSeq)}`, fmtNumber(x.missing), fmtNumber(x.evicted), t(`gapStatus.${x.status}`), fmtDate(x.detectedAt)]),
        ),
  );
}

export async function renderUnit(ctx, id) {
  const { unit, districts } = await api(`/api/v1/units/${encodeURIComponent(id)}`);
  if (!ctx.current()) return;
  const scoped = ctx.session.role === 'teacher' || ctx.session.role === 'technician';
  replace(
    ctx.main,
    scoped ? null : h('p', { class: 'back' }, h('a', { href: '#/' }, t('unit.back'))),
    h('h1', { tabindex: '-1' }, unit.name[lang()]),
    h(
      'p',
      { class: 'subtitle' },
      [t(`kind.${unit.kind}`), t(`level.${unit.level}`), districtName(districts, unit.district), unit.id].join(' · '),
      unit.placeholderName ? h('small', { class: 'muted' }, ` — ${t('unit.placeholder')}`) : null,
    ),
    unit.gateways.map(gatewaySection),
  );
}

// One unit: its status, each gateway's presence, its kits' states (fault reasons), latest
// readings (readable, impossible ones flagged), the kits' event history and the data gaps not yet
// closed; redrawn live when the central's stream says the unit changed.
import { api } from './api.js';
import { h, replace, table } from './dom.js';
import { fmtDate, fmtNumber, lang, t } from './i18n.js';
import { subscribeLive } from './live.js';
import { readable } from './readings.js';
import { districtName, statusBadge } from './view-overview.js';

function value(v) {
  const r = readable(v);
  return r.outOfRange ? h('span', { class: 'out-of-range' }, r.text, ' ', h('span', { class: 'badge fault' }, t('unit.outOfRange'))) : r.text;
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
      h('dt', {}, t('estop.label')),
      h('dd', { 'data-estop': g.estop?.latched ? 'latched' : 'free' }, g.estop === null ? t('estop.unknown') : g.estop.latched ? h('span', { class: 'badge fault' }, t('estop.latched')) : t('estop.free')),
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
    h('h3', {}, t('unit.history')),
    g.history.length === 0
      ? h('p', { class: 'empty' }, t('unit.noHistory'))
      : table(
          t('unit.history'),
          [t('unit.at'), t('unit.kit'), t('unit.event'), t('unit.reason')],
          g.history.map((k) => [fmtDate(k.at), k.kit, h('span', { class: `badge ${k.state}` }, t(`kitEvent.${k.state}`)), k.reason ?? '—']),
          'history stack',
        ),
    h('h3', {}, t('unit.completeness')),
    completeness(g.completeness),
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

/** A latched e-stop, above everything else on the page: read out at once (role=alert). */
function estopBanner(unit) {
  const latched = unit.gateways.filter((g) => g.estop?.latched);
  if (latched.length === 0) return null;
  return h(
    'div',
    { class: 'estop-banner', role: 'alert' },
    h('strong', {}, t('estop.banner', { gateways: latched.map((g) => g.id).join(', ') })),
    latched.map((g) => (g.estop.at ? h('p', {}, t('estop.since', { date: fmtDate(g.estop.at), source: g.estop.source ?? '—' })) : null)),
  );
}

const purposeParts = (p) =>
  [
    // "Lesson · Lesson square" says it twice: the lesson's name is enough.
    p.kind === 'lesson' && p.lessonId ? null : t(`purpose.${p.kind}`),
    p.lessonId ? `${t('unit.lesson')} ${p.lessonId}` : null,
    p.classId ? `${t('unit.class')} ${p.classId}` : null,
    p.teamId ? `${t('unit.team')} ${p.teamId}` : null,
  ].filter(Boolean).join(' · ');

/** The latest kit sessions with what they were for (the room console's and flows' tags). */
function sessionsSection(sessions) {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'sessions-h' },
    h('h2', { id: 'sessions-h' }, t('unit.sessions')),
    sessions.length === 0
      ? h('p', { class: 'empty' }, t('unit.noSessions'))
      : table(
          t('unit.sessions'),
          [t('unit.started'), t('unit.kit'), t('unit.duration'), t('unit.purpose'), t('unit.endReason')],
          sessions.map((s) => [fmtDate(s.startedAt), s.kit, t('unit.minutes', { n: fmtNumber(s.durationMs / 60_000) }), purposeParts(s.purpose), h('span', { class: s.endReason === 'fault' || s.endReason === 'estop' ? 'badge fault' : '' }, t(`endReason.${s.endReason}`))]),
          'sessions stack',
        ),
  );
}

function completeness(c) {
  if (c.events === 0) return h('p', { class: 'empty' }, t('unit.noEvents'));
  const share = `${fmtNumber(c.share * 100, 1)} %`;
  return h(
    'p',
    { 'data-share': String(c.share) },
    t('unit.completenessText', { events: fmtNumber(c.events), expected: fmtNumber(c.expected), from: fmtNumber(c.seqFrom), to: fmtNumber(c.seqTo), share }),
    c.missing || c.evicted ? [' ', h('span', { class: 'off' }, t('unit.completenessMissing', { missing: fmtNumber(c.missing), evicted: fmtNumber(c.evicted) }))] : null,
  );
}

export async function renderUnit(ctx, id) {
  await drawUnit(ctx, id);
  if (!ctx.current()) return;
  subscribeLive(ctx, {
    onChange: async (units) => {
      if (units.some((u) => u.unit === id)) await drawUnit(ctx, id);
    },
  });
}

async function drawUnit(ctx, id) {
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
      statusBadge(unit.status),
      ' ',
      [t(`kind.${unit.kind}`), t(`level.${unit.level}`), districtName(districts, unit.district), unit.id].join(' · '),
      unit.placeholderName ? h('small', { class: 'muted' }, ` — ${t('unit.placeholder')}`) : null,
    ),
    estopBanner(unit),
    sessionsSection(unit.sessions),
    unit.gateways.map(gatewaySection),
  );
}

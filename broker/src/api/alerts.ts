/**
 * The alert feed (docs/alerts.md): what a department official or a technician should act on now,
 * computed from the ledger on each request so that it is never stale and needs no state of its own:
 *
 *  - gateway-offline: a gateway heard from before, offline longer than OFFLINE_ALERT_MINUTES;
 *  - kit-faults: a kit that went to fault at least FAULTS_ALERT_COUNT times in the last 24 hours;
 *  - estop-latched: a gateway whose emergency stop is latched now (live/estops.ts), until reset;
 *  - estop: a session ended by an emergency stop in the last 24 hours;
 *  - quota: a gateway that hit one of its quotas since the central started (security/quotas.ts).
 *
 * Newest first. Served as JSON and RSS (api/live-routes.ts).
 */
import type { Ledger } from '../ledger/ledger.ts';
import type { EstopBoard } from '../live/estops.ts';
import type { Unit } from '../registry/fleet.ts';

export const OFFLINE_ALERT_MINUTES = 30;
export const FAULTS_ALERT_COUNT = 3;
const DAY = 86_400_000;

export const alertKinds = ['gateway-offline', 'kit-faults', 'estop-latched', 'estop', 'quota'] as const;
export type AlertKind = (typeof alertKinds)[number];

export interface Alert {
  /** Stable while the condition lasts: a reader can tell a new alert from one already seen. */
  id: string;
  kind: AlertKind;
  unit: string;
  gateway: string;
  kit: string | null;
  /** When it happened (offline since, last fault, the stop); null for quota hits (counted, not timed). */
  at: string | null;
  /** Bilingual, for people; the fields above are for tools. */
  text: { vi: string; en: string };
}

export type QuotaHits = () => Iterable<{ unit: string; gateway: string; quota: string; count: number }>;

const iso = (ms: number) => new Date(ms).toISOString();

export async function alerts(ledger: Ledger, units: readonly Unit[], now: number, quotaHits?: QuotaHits, estops?: EstopBoard): Promise<Alert[]> {
  const known = new Set(units.map((u) => u.id));
  const out: Alert[] = [];
  for (const { unit, gateway, estop } of estops?.latched() ?? []) {
    if (!known.has(unit)) continue;
    const by = estop.source ? { vi: ` (${estop.source})`, en: ` (${estop.source})` } : { vi: '', en: '' };
    out.push({
      // The latch's time makes a second latch a new alert; a latch with no time stays one until reset.
      id: `estop-latched/${unit}/${gateway}/${estop.at ?? ''}`,
      kind: 'estop-latched', unit, gateway, kit: null, at: estop.at === null ? iso(now) : iso(estop.at),
      text: { vi: `Gateway ${gateway} đang dừng khẩn cấp${by.vi}: mọi thiết bị chấp hành bị khóa đến khi giáo viên đặt lại`, en: `Gateway ${gateway} is emergency-stopped${by.en}: every actuator is locked until a teacher resets it` },
    });
  }
  for (const g of await ledger.gateways()) {
    if (!known.has(g.unit) || g.online || now - g.lastSeen <= OFFLINE_ALERT_MINUTES * 60_000) continue;
    const hours = Math.floor((now - g.lastSeen) / 3_600_000);
    out.push({
      id: `gateway-offline/${g.unit}/${g.gateway}/${g.lastSeen}`,
      kind: 'gateway-offline', unit: g.unit, gateway: g.gateway, kit: null, at: iso(g.lastSeen),
      text: { vi: `Gateway ${g.gateway} ngoại tuyến ${hours >= 1 ? `${hours} giờ` : `hơn ${OFFLINE_ALERT_MINUTES} phút`}`, en: `Gateway ${g.gateway} offline for ${hours >= 1 ? `${hours} h` : `over ${OFFLINE_ALERT_MINUTES} min`}` },
    });
  }
  for (const f of await ledger.repeatedFaults(now - DAY, FAULTS_ALERT_COUNT)) {
    if (!known.has(f.unit)) continue;
    out.push({
      id: `kit-faults/${f.unit}/${f.gateway}/${f.kit}/${f.lastAt}`,
      kind: 'kit-faults', unit: f.unit, gateway: f.gateway, kit: f.kit, at: iso(f.lastAt),
      text: { vi: `Bộ ${f.kit} báo lỗi ${f.faults} lần trong 24 giờ qua`, en: `Kit ${f.kit} faulted ${f.faults} times in the last 24 hours` },
    });
  }
  for (const e of await ledger.estopEnds(now - DAY)) {
    if (!known.has(e.unit)) continue;
    out.push({
      id: `estop/${e.unit}/${e.gateway}/${e.kit ?? ''}/${e.at}`,
      kind: 'estop', unit: e.unit, gateway: e.gateway, kit: e.kit, at: iso(e.at),
      text: { vi: `Dừng khẩn cấp${e.kit ? ` bộ ${e.kit}` : ''}`, en: `Emergency stop${e.kit ? ` of kit ${e.kit}` : ''}` },
    });
  }
  const timed = out.sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''));
  for (const q of quotaHits?.() ?? []) {
    if (!known.has(q.unit) || q.count === 0) continue;
    timed.push({
      id: `quota/${q.unit}/${q.gateway}/${q.quota}/${q.count}`,
      kind: 'quota', unit: q.unit, gateway: q.gateway, kit: null, at: null,
      text: { vi: `Gateway ${q.gateway} chạm hạn mức ${q.quota} (${q.count} lần)`, en: `Gateway ${q.gateway} hit its ${q.quota} quota (${q.count} times)` },
    });
  }
  return timed;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** RSS 2.0 of the feed, in one language, for feed readers. */
export function alertsRss(list: readonly Alert[], lang: 'vi' | 'en', link: string): string {
  const title = lang === 'vi' ? 'STEMLab Edge — cảnh báo' : 'STEMLab Edge — alerts';
  const items = list.map((a) =>
    `<item><title>${xml(`${a.unit}: ${a.text[lang]}`)}</title><guid isPermaLink="false">${xml(a.id)}</guid><category>${a.kind}</category>${a.at ? `<pubDate>${new Date(a.at).toUTCString()}</pubDate>` : ''}<link>${xml(`${link}#/unit/${encodeURIComponent(a.unit)}`)}</link></item>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${title}</title><link>${xml(link)}</link><description>${title}</description><language>${lang}</language>${items.join('')}</channel></rss>\n`;
}

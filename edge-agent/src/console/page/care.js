// The technician's kit checks: the self-test per kit or all, after a yes (it turns motors), and
// each kit's last results and fault history, kept on the gateway.
import { i18n, t, post, el, message, time, lossText } from './i18n.js';

const state = { container: undefined, kits: [], busy: false, error: '' };

async function load() {
  const reply = await (await fetch('/api/v1/club/kit-care')).json();
  if (reply.status === 'ok') state.kits = reply.kits;
}

async function selftest(kits) {
  if (!confirm(t('confirmMotors'))) return;
  state.busy = true;
  render();
  const reply = await post('/api/v1/club/selftest', { ...(kits ? { kits } : {}), confirm: true });
  state.error = reply.status === 'ok' ? '' : message(reply);
  state.busy = false;
  await load();
  render();
}

/** The check's words in the reader's language (results kept by an older agent have English only). */
const detailOf = (c) => (i18n.lang === 'vi' && c.detailVi) || c.detail;

function kitRow(kit) {
  const last = kit.selftests[0];
  const failed = last ? last.components.filter((c) => c.status === 'fail' || c.status === 'warn') : [];
  return el('tr', { dataset: { kit: kit.kit } },
    el('td', {}, kit.label ?? kit.kit),
    el('td', {}, t(kit.state)),
    el('td', { className: `selftest ${last?.status ?? 'none'}`, dataset: { status: last?.status ?? '' } },
      last ? `${t(last.status === 'pass' ? 'ok' : last.status)} · ${time(last.at)} · ${last.by}` : t('never'),
      last?.status === 'fail' ? el('div', {}, detailOf(last)) : undefined,
      ...failed.map((c) => el('div', {}, `${c.component}: ${t(c.status)} – ${detailOf(c)}`))),
    el('td', { className: 'faults' }, kit.faults.length === 0 ? t('never') : el('ul', {}, ...kit.faults.slice(0, 5).map((f) => el('li', {}, `${new Date(f.at).toLocaleString(i18n.lang === 'vi' ? 'vi-VN' : 'en-GB')} ${lossText(f.state, f.reason)}`)))),
    el('td', {}, el('button', { type: 'button', className: 'selftest-kit', disabled: state.busy, onclick: () => selftest([kit.kit]) }, t('selftestKit'))));
}

export function render() {
  const box = state.container;
  if (!box) return;
  box.hidden = false;
  box.replaceChildren(
    el('h2', {}, t('care')),
    el('p', {}, el('button', { type: 'button', id: 'selftest-all', disabled: state.busy, onclick: () => selftest(undefined) }, t('selftestAll')), ' ', state.busy ? t('running') : ''),
    el('table', { id: 'care-table' },
      el('thead', {}, el('tr', {}, ...[t('kit'), '', t('lastTest'), t('faults'), ''].map((h) => el('th', {}, h)))),
      el('tbody', {}, ...state.kits.map(kitRow))),
    el('p', { id: 'care-error', role: 'alert' }, state.error));
}

export const care = {
  async start(container) {
    state.container = container;
    await load();
    render();
  },
  render,
};

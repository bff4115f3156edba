// The printable summary of a club session (/console/summary.html?id=...): who passed what, which
// kits faulted, minutes of use per kit (as the ledger counts them), in the reader's language.
import { i18n, t, el, message, lossText } from './i18n.js';

const id = new URLSearchParams(location.search).get('id') ?? '';
let summary;
const when = (ms) => (ms ? new Date(ms).toLocaleString(i18n.lang === 'vi' ? 'vi-VN' : 'en-GB') : '—');

function render() {
  document.documentElement.lang = i18n.lang;
  for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
  document.getElementById('lang').textContent = i18n.lang === 'vi' ? 'English' : 'Tiếng Việt';
  if (!summary) return;
  const about = [
    [t('sessionOf'), summary.id],
    [t('lesson'), `${summary.lessonId} – ${summary.lessonTitle[i18n.lang]}`],
    [t('class'), summary.classId],
    [t('teacher'), summary.startedBy],
    [t('started'), when(summary.startedAt)],
    [t('ended'), when(summary.endedAt)],
  ];
  document.getElementById('about').replaceChildren(...about.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  const head = [t('team'), t('kit'), t('members'), t('verdict'), t('passed'), t('checks'), t('minutes'), t('faults'), t('kitProblems')];
  document.getElementById('summary-table').replaceChildren(
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...summary.teams.map((team) => el('tr', { dataset: { team: team.id } },
      el('td', {}, team.name), el('td', {}, team.kit), el('td', {}, team.members.join(' ')),
      el('td', {}, team.verdict ? t(team.verdict) : '—'), el('td', {}, team.passed ? t('yes') : t('no')),
      el('td', {}, String(team.checks)), el('td', { className: 'minutes' }, String(team.minutes)), el('td', {}, String(team.faults)),
      el('td', {}, team.kitLost.map((f) => `${when(f.at)} ${lossText(f.state, f.reason)}`).join('; '))))));
}

document.getElementById('lang').addEventListener('click', () => {
  i18n.lang = i18n.lang === 'vi' ? 'en' : 'vi';
  localStorage.setItem('stemlab-lang', i18n.lang);
  render();
});
document.getElementById('print').addEventListener('click', () => print());
fetch(`/api/v1/club/sessions/${encodeURIComponent(id)}/summary`).then((r) => r.json()).then((reply) => {
  if (reply.status === 'ok') summary = reply.summary;
  else document.getElementById('summary-error').textContent = message(reply);
  render();
});
render();

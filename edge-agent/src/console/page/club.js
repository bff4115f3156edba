// The robot club's session on the console: the teacher starts it (lesson, class, teams and their
// kits), deploys the lesson's starter, sees each team's verdict as it comes, hands a kit to a
// team's flow, ends it and gets the summary; a student sees their own team only.
import { i18n, t, post, el, message, time } from './i18n.js';

// `draft` keeps what the teacher typed in the start form across re-renders (a language switch,
// adding a team, a refused start): the form is rebuilt on each render.
const state = { me: undefined, info: {}, current: undefined, ended: undefined, container: undefined, onTeams: () => {}, error: '', rows: 2, draft: { teams: [] } };
const staff = () => ['teacher', 'technician', 'local'].includes(state.me?.role);
const lessonTitle = (id) => {
  const lesson = (state.info.lessons ?? []).find((l) => l.id === id);
  return lesson ? `${lesson.level.toUpperCase()} ${lesson.number} – ${lesson.title[i18n.lang]}` : id;
};

async function act(path, body) {
  const reply = await post(path, body);
  state.error = reply.status === 'ok' ? '' : message(reply);
  return reply;
}

function summaryLinks(id, elementId) {
  const q = `?lang=${i18n.lang}`;
  return el('p', { id: elementId, className: 'links', dataset: { session: id } },
    el('strong', {}, `${t('summary')}: `),
    el('a', { href: `summary.html?id=${encodeURIComponent(id)}`, target: '_blank' }, t('print')), ' · ',
    el('a', { href: `/api/v1/club/sessions/${encodeURIComponent(id)}/summary.csv${q}` }, t('csv')), ' · ',
    el('a', { href: `/api/v1/club/sessions/${encodeURIComponent(id)}/summary.xlsx${q}` }, t('xlsx')));
}

const defaultTeamName = (i) => `${t('team')} ${i + 1}`;

function teamRow(i) {
  const kits = state.info.kits ?? [];
  const draft = state.draft.teams[i] ?? {};
  const kit = draft.kit ?? kits[i]?.id;
  return el('div', { className: 'team-row' },
    el('label', {}, `${t('teamName')} `, el('input', { name: 'team-name', value: draft.name ?? defaultTeamName(i), required: true, maxLength: 60 })),
    el('label', {}, `${t('kit')} `, el('select', { name: 'team-kit' }, ...kits.map((k) => el('option', { value: k.id, selected: k.id === kit }, k.label)))),
    el('label', {}, `${t('members')} `, el('input', { name: 'team-members', value: draft.members ?? '', placeholder: (state.info.students ?? []).slice(0, 2).join(' ') })));
}

/** What the form holds now; a team name left at its default is not kept, so it follows the language. */
function readDraft(form) {
  state.draft = {
    lessonId: form.querySelector('#club-lesson').value,
    classId: form.querySelector('#club-class').value,
    teams: [...form.querySelectorAll('.team-row')].map((row, i) => {
      const name = row.querySelector('[name=team-name]').value;
      return { name: name === defaultTeamName(i) ? undefined : name, kit: row.querySelector('[name=team-kit]').value, members: row.querySelector('[name=team-members]').value };
    }),
  };
}

function startForm() {
  const form = el('form', { id: 'club-start-form', oninput: () => readDraft(form), onchange: () => readDraft(form), onsubmit: async (e) => {
    e.preventDefault();
    readDraft(form);
    const teams = state.draft.teams.map((team, i) => ({ name: team.name ?? defaultTeamName(i), kit: team.kit, members: team.members.split(/[\s,]+/).filter(Boolean) }));
    const reply = await act('/api/v1/club/sessions', { lessonId: state.draft.lessonId, classId: state.draft.classId, teams });
    if (reply.status === 'ok') {
      state.draft = { teams: [] };
      update(reply.session);
    } else render();
  } },
  el('label', {}, `${t('lesson')} `, el('select', { id: 'club-lesson' }, ...(state.info.lessons ?? []).map((l) => el('option', { value: l.id, selected: l.id === state.draft.lessonId }, lessonTitle(l.id))))),
  el('label', {}, `${t('class')} `, el('input', { id: 'club-class', value: state.draft.classId ?? '', required: true, maxLength: 100 })),
  el('fieldset', { id: 'club-teams' }, el('legend', {}, t('teams')), ...Array.from({ length: state.rows }, (_, i) => teamRow(i))),
  el('p', {},
    el('button', { type: 'button', id: 'club-add-team', onclick: () => { state.rows++; render(); } }, t('addTeam')), ' ',
    el('button', { type: 'button', id: 'club-remove-team', disabled: state.rows <= 1, onclick: () => { state.rows--; render(); } }, t('removeTeam'))),
  el('button', { type: 'submit', id: 'club-start' }, t('start')));
  return form;
}

function verdictOf(teamId) {
  return [...(state.current?.verdicts ?? [])].reverse().find((v) => v.team === teamId);
}

function teamsTable() {
  const s = state.current;
  return el('table', { id: 'club-teams-table' },
    el('thead', {}, el('tr', {}, ...[t('team'), t('kit'), t('members'), t('verdict')].map((h) => el('th', {}, h)))),
    el('tbody', {}, ...s.teams.map((team) => {
      const v = verdictOf(team.id);
      return el('tr', { dataset: { team: team.id } },
        el('td', {}, team.name), el('td', {}, team.kit), el('td', {}, team.members.join(' ')),
        el('td', { className: `verdict ${v?.status ?? 'none'}`, dataset: { team: team.id, status: v?.status ?? '' }, title: v?.message ?? '' },
          v ? `${t(v.status)} · ${time(v.at)}${v.by ? ` · ${v.by}` : ''}` : t('notChecked')));
    })));
}

function running() {
  const s = state.current;
  const parts = [
    el('p', { id: 'club-info' }, `${t('sessionOf')} ${s.id} · ${t('lesson')}: ${lessonTitle(s.lessonId)} · ${t('class')}: ${s.classId} · ${t('started')}: ${time(s.startedAt)}`),
    teamsTable(),
  ];
  if (staff()) {
    parts.push(el('p', {},
      el('button', { type: 'button', id: 'club-deploy', onclick: async () => {
        const reply = await act(`/api/v1/club/sessions/${s.id}/deploy`, {});
        if (reply.status === 'ok') update(reply.session);
        else render();
      } }, t('deploy')), ' ',
      s.deployed ? el('span', { id: 'club-deployed' }, `✔ ${t('deployed')}`) : undefined, ' ',
      el('button', { type: 'button', id: 'club-end', onclick: async () => {
        if (!confirm(t('endAsk'))) return;
        const reply = await act(`/api/v1/club/sessions/${s.id}/end`, {});
        if (reply.status === 'ok') {
          state.ended = s.id;
          update(null);
        } else render();
      } }, t('end'))));
  }
  return parts;
}

function studentView() {
  const team = state.current?.teams[0];
  if (!team) return [el('p', { id: 'club-no-team' }, t('noTeam'))];
  const verdicts = [...state.current.verdicts].reverse();
  return [
    el('p', { id: 'club-my-team' }, `${t('yourTeam')}: ${team.name} · ${t('kit')}: ${team.kit} · ${t('lesson')}: ${lessonTitle(state.current.lessonId)}`),
    el('ul', { id: 'club-my-verdicts' }, ...verdicts.map((v) => el('li', { className: `verdict ${v.status}` }, `${time(v.at)} ${t(v.status)}: ${v.message}`))),
  ];
}

export function render() {
  const box = state.container;
  if (!box || !state.me) return;
  const body = [el('h2', {}, t('club'))];
  if (!staff()) body.push(...studentView());
  else if (state.current) body.push(...running());
  else {
    body.push(el('p', {}, t('noSession')), startForm());
    if (state.ended) body.push(summaryLinks(state.ended, 'summary-links'));
    const recent = (state.info.sessions ?? []).filter((s) => s.state === 'ended' && s.id !== state.ended).slice(0, 10);
    if (recent.length > 0) {
      body.push(el('h3', {}, t('lastSessions')), el('ul', { id: 'club-recent' }, ...recent.map((s) => el('li', {}, `${time(s.startedAt)} ${s.classId} · ${lessonTitle(s.lessonId)} `, summaryLinks(s.id)))));
    }
  }
  body.push(el('p', { id: 'club-error', role: 'alert' }, state.error));
  box.replaceChildren(...body);
}

async function refresh() {
  const reply = await (await fetch('/api/v1/club')).json();
  if (reply.status === 'ok') {
    state.info = reply;
    state.current = reply.current ?? undefined;
  }
}

export function update(view) {
  const before = state.current?.id;
  state.current = view ?? undefined;
  if (before !== state.current?.id) void refresh().then(render).then(state.onTeams);
  render();
  state.onTeams();
}

export const club = {
  async start(me, container, onTeams) {
    Object.assign(state, { me, container, onTeams });
    await refresh();
    render();
  },
  update,
  render,
  teamOfKit: (kit) => state.current?.teams.find((team) => team.kit === kit),
  /** On a kit's tile, for the teacher: give the kit to its team's lesson flow, or free it. */
  tileActions(kit) {
    if (!staff() || !state.current) return undefined;
    const team = state.current.teams.find((tm) => tm.kit === kit.id);
    const hand = async (body) => {
      await act(`/api/v1/club/kits/${encodeURIComponent(kit.id)}/hand-over`, body);
      render();
    };
    return el('p', { className: 'tile-actions' },
      team?.tab && kit.driver !== `flow:${team.tab}` ? el('button', { type: 'button', className: 'hand-over', onclick: () => hand({ team: team.id }) }, t('handOver')) : undefined, ' ',
      kit.driver ? el('button', { type: 'button', className: 'free', onclick: () => hand({ team: null }) }, t('free')) : undefined);
  },
};

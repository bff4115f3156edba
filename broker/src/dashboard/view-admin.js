// Admins only: people's accounts (create, change role or unit, disable/enable, new password), the
// unit registry (add, edit, remove) and the audit log. Every change is audited by the central.
import { api } from './api.js';
import { field, h, notice, replace, select, table } from './dom.js';
import { errorText, fmtDate, lang, t } from './i18n.js';
import { districtName, KINDS, LEVELS } from './view-overview.js';

const ROLES = ['viewer', 'teacher', 'technician', 'admin'];
const AUDIT_PAGE = 20;
const needsUnit = (role) => role === 'teacher' || role === 'technician';
let flash = null; // the confirmation of the last change, shown after the page is rebuilt

function roleAndUnit(units, role, unit) {
  const roleSelect = select({ name: 'role' }, ROLES.map((r) => [r, t(`role.${r}`)]), role);
  const unitSelect = select({ name: 'unit' }, [['', t('admin.noUnit')], ...units.map((u) => [u.id, `${u.name[lang()]} (${u.id})`])], unit ?? '');
  const sync = () => {
    unitSelect.disabled = !needsUnit(roleSelect.value);
    if (unitSelect.disabled) unitSelect.value = '';
  };
  roleSelect.addEventListener('change', sync);
  sync();
  return [roleSelect, unitSelect];
}

/** A form that calls `action(form)` and then rebuilds the page, or shows the error in place. */
function actionForm(ctx, props, action, ...children) {
  const messages = h('div', { class: 'messages' });
  const form = h(
    'form',
    {
      ...props,
      onsubmit: async (event) => {
        event.preventDefault();
        for (const b of form.querySelectorAll('button')) b.disabled = true;
        try {
          flash = await action(form, event.submitter);
          await renderAdmin(ctx);
        } catch (err) {
          replace(messages, notice('error', errorText(err)));
          for (const b of form.querySelectorAll('button')) b.disabled = false;
        }
      },
    },
    messages,
    ...children,
  );
  return form;
}

function usersSection(ctx, users, units) {
  const editor = h('div');
  const edit = (u) => {
    const [role, unit] = roleAndUnit(units, u.role, u.unit);
    const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', minlength: '10' });
    const disabled = h('input', { name: 'disabled', type: 'checkbox', checked: u.disabledAt !== null });
    replace(
      editor,
      actionForm(
        ctx,
        { class: 'card', 'aria-labelledby': 'edit-user-h' },
        async () => {
          const patch = {};
          if (role.value !== u.role) patch.role = role.value;
          if ((unit.value || null) !== u.unit) patch.unit = unit.value || null;
          if (disabled.checked !== (u.disabledAt !== null)) patch.disabled = disabled.checked;
          if (password.value) patch.password = password.value;
          if (Object.keys(patch).length === 0) return { key: 'admin.nothingChanged' };
          await api(`/api/v1/users/${encodeURIComponent(u.username)}`, { method: 'PATCH', body: patch });
          return { key: 'admin.userSaved', params: { username: u.username } };
        },
        h('h3', { id: 'edit-user-h' }, t('admin.editUser', { username: u.username })),
        field(t('admin.role'), role),
        field(t('admin.unit'), unit),
        field(t('admin.newPassword'), password, t('admin.passwordHint')),
        h('label', { class: 'check' }, disabled, ' ', t('admin.disabled')),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('common.save')), h('button', { type: 'button', onclick: () => replace(editor) }, t('common.cancel'))),
      ),
    );
    editor.querySelector('select').focus();
  };

  const username = h('input', { name: 'username', required: true, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { name: 'password', type: 'password', required: true, minlength: '10', autocomplete: 'new-password' });
  const [role, unit] = roleAndUnit(units, 'teacher', '');
  const unitName = (id) => units.find((x) => x.id === id)?.name[lang()] ?? id;
  return h(
    'section',
    { 'aria-labelledby': 'users-h' },
    h('h2', { id: 'users-h' }, t('admin.users')),
    table(
      t('admin.users'),
      [t('admin.username'), t('admin.role'), t('admin.unit'), t('admin.status'), h('span', { class: 'visually-hidden' }, t('admin.edit'))],
      users.map((u) => [
        u.username,
        t(`role.${u.role}`),
        u.unit ? unitName(u.unit) : '—',
        h('span', { class: u.disabledAt === null ? 'badge ok' : 'badge off' }, t(u.disabledAt === null ? 'admin.active' : 'admin.disabled')),
        h('button', { type: 'button', class: 'link', onclick: () => edit(u), 'aria-label': t('admin.editUser', { username: u.username }) }, t('admin.edit')),
      ]),
    ),
    editor,
    actionForm(
      ctx,
      { class: 'card', 'aria-labelledby': 'new-user-h' },
      async () => {
        const body = { username: username.value.trim(), password: password.value, role: role.value, ...(unit.value ? { unit: unit.value } : {}) };
        await api('/api/v1/users', { method: 'POST', body });
        return { key: 'admin.userCreated', params: { username: body.username } };
      },
      h('h3', { id: 'new-user-h' }, t('admin.createUser')),
      h('div', { class: 'grid' }, field(t('admin.username'), username, t('admin.usernameHint')), field(t('admin.password'), password, t('admin.passwordHint')), field(t('admin.role'), role), field(t('admin.unit'), unit)),
      h('button', { type: 'submit', class: 'primary' }, t('admin.create')),
    ),
  );
}

function registrySection(ctx, units, districts) {
  const pick = select({ name: 'pick' }, [['', t('admin.newUnit')], ...units.map((u) => [u.id, `${u.name[lang()]} (${u.id})`])], '');
  const id = h('input', { name: 'id', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const kind = select({ name: 'kind' }, KINDS.map((k) => [k, t(`kind.${k}`)]), KINDS[0]);
  const level = select({ name: 'level' }, LEVELS.map((l) => [l, t(`level.${l}`)]), LEVELS[0]);
  const district = select({ name: 'district' }, districts.map((d) => [d.id, districtName(districts, d.id)]), districts[0]?.id);
  const nameVi = h('input', { name: 'nameVi', required: true, lang: 'vi' });
  const nameEn = h('input', { name: 'nameEn', required: true, lang: 'en' });
  const gateways = h('input', { name: 'gateways', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const save = h('button', { type: 'submit', class: 'primary' });
  const remove = h('button', { type: 'submit', class: 'danger' });
  const current = () => units.find((u) => u.id === pick.value);
  const fill = () => {
    const u = current();
    id.value = u?.id ?? '';
    id.readOnly = Boolean(u);
    kind.value = u?.kind ?? KINDS[0];
    level.value = u?.level ?? LEVELS[0];
    district.value = u?.district ?? districts[0]?.id;
    nameVi.value = u?.name.vi ?? '';
    nameEn.value = u?.name.en ?? '';
    gateways.value = u ? u.gateways.map((g) => g.id).join(', ') : '';
    save.textContent = t(u ? 'admin.saveUnit' : 'admin.addUnit');
    remove.textContent = t('admin.removeUnit');
    remove.hidden = !u;
    delete remove.dataset.confirm;
  };
  // Removing takes two clicks: the second button says which unit goes.
  remove.addEventListener('click', (event) => {
    if (remove.dataset.confirm) return;
    event.preventDefault();
    remove.dataset.confirm = '1';
    remove.textContent = t('admin.confirmRemove', { id: id.value });
  });
  pick.addEventListener('change', fill);
  fill();
  return h(
    'section',
    { 'aria-labelledby': 'registry-h' },
    h('h2', { id: 'registry-h' }, t('admin.registry')),
    actionForm(
      ctx,
      { class: 'card', 'aria-labelledby': 'registry-h' },
      async (_form, submitter) => {
        const u = current();
        if (u && submitter === remove) {
          await api(`/api/v1/units/${encodeURIComponent(u.id)}`, { method: 'DELETE' });
          return { key: 'admin.unitRemoved', params: { id: u.id } };
        }
        const body = {
          kind: kind.value,
          level: level.value,
          district: district.value,
          name: { vi: nameVi.value.trim(), en: nameEn.value.trim() },
          gateways: gateways.value.split(',').map((g) => g.trim()).filter(Boolean),
        };
        if (u) await api(`/api/v1/units/${encodeURIComponent(u.id)}`, { method: 'PATCH', body });
        else await api('/api/v1/units', { method: 'POST', body: { id: id.value.trim(), ...body } });
        return { key: u ? 'admin.unitSaved' : 'admin.unitAdded', params: { id: u?.id ?? id.value.trim() } };
      },
      field(t('admin.unitPick'), pick),
      h(
        'div',
        { class: 'grid' },
        field(t('admin.unitId'), id, t('admin.unitIdHint')),
        field(t('overview.kind'), kind),
        field(t('overview.level'), level),
        field(t('overview.district'), district),
        field(t('admin.nameVi'), nameVi),
        field(t('admin.nameEn'), nameEn),
        field(t('admin.gateways'), gateways, t('admin.gatewaysHint')),
      ),
      h('div', { class: 'actions' }, save, remove),
    ),
  );
}

function auditSection(entries) {
  const entity = select({ name: 'entity' }, [['', t('common.all')], ['unit', t('entity.unit')], ['user', t('entity.user')]], '');
  const body = h('div');
  const more = h('button', { type: 'button' }, t('admin.loadMore'));
  let rows = [];
  const draw = () =>
    replace(
      body,
      table(
        t('admin.audit'),
        [t('admin.auditAt'), t('admin.auditActor'), t('admin.auditAction'), t('admin.auditEntity'), t('admin.auditId')],
        rows.map((r) => [fmtDate(new Date(r.at).toISOString()), r.actor, t(`action.${r.action}`), t(`entity.${r.entity}`), r.entityId]),
      ),
    );
  const load = async (reset) => {
    const before = reset || rows.length === 0 ? '' : `&before=${rows.at(-1).id}`;
    const { entries: page } = await api(`/api/v1/audit?limit=${AUDIT_PAGE}${entity.value ? `&entity=${entity.value}` : ''}${before}`);
    rows = reset ? page : [...rows, ...page];
    more.hidden = page.length < AUDIT_PAGE;
    draw();
  };
  entity.addEventListener('change', () => void load(true));
  more.addEventListener('click', () => void load(false));
  rows = entries;
  more.hidden = entries.length < AUDIT_PAGE;
  draw();
  return h('section', { 'aria-labelledby': 'audit-h' }, h('h2', { id: 'audit-h' }, t('admin.audit')), h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() }, field(t('admin.auditEntity'), entity)), body, more);
}

export async function renderAdmin(ctx) {
  const [{ users }, { units, districts }, { entries }] = await Promise.all([api('/api/v1/users'), api('/api/v1/units'), api(`/api/v1/audit?limit=${AUDIT_PAGE}`)]);
  if (!ctx.current()) return;
  const message = flash ? notice('info', t(flash.key, flash.params)) : null;
  flash = null;
  replace(
    ctx.main,
    h('h1', { tabindex: '-1' }, t('admin.title')),
    message,
    usersSection(ctx, users, units),
    registrySection(ctx, units, districts),
    auditSection(entries),
  );
  if (message) ctx.main.querySelector('h1').focus();
}

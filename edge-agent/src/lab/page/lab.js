// The lab page: start an experiment, watch its readings as live charts, mark events, stop, and
// download the readings. Talks only to the gateway's own API; uPlot is served by the gateway.
'use strict';
(() => {
  const TEXT = window.LAB_TEXT;
  let lang = localStorage.getItem('stemlab-lang') === 'en' ? 'en' : 'vi';
  const t = (key) => TEXT[lang][key];
  const $ = (id) => document.getElementById(id);
  const colors = ['#c0392b', '#2471a3', '#1e8449', '#b9770e', '#7d3c98', '#117a65', '#5d6d7e', '#a04000'];

  let lab = { sensors: [], kits: [], experiments: [] };
  let current = null; // { meta, xs, columns: number[][], next, charts }

  async function call(method, path, body) {
    // The agent takes JSON only for state changes (docs/agent-security.md), an empty body too.
    const res = await fetch(path, { method, headers: method === 'POST' ? { 'content-type': 'application/json' } : {}, body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined });
    const json = await res.json();
    // Not logged in: the room console holds the gateway's log-in (one cookie for every page).
    if (json.code === 'LOGIN_REQUIRED') {
      window.location.assign('/console/');
      throw Object.assign(new Error(t('loginFirst')), { code: json.code });
    }
    if (json.status !== 'ok') throw Object.assign(new Error((lang === 'vi' && json.messageVi) || json.message), { code: json.code });
    return json;
  }

  function showError(el, err) {
    el.textContent = err ? err.message : '';
    el.hidden = !err;
  }

  // ---- language -----------------------------------------------------------------------------
  function applyLanguage() {
    document.documentElement.lang = lang;
    document.title = `${t('title')} – STEMLab Edge`;
    for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
    for (const el of document.querySelectorAll('[data-t-placeholder]')) el.placeholder = t(el.dataset.tPlaceholder);
    $('lang').textContent = lang === 'vi' ? 'EN' : 'VI';
    renderSensors();
    renderList();
    if (current) renderCurrent(true);
  }
  $('lang').addEventListener('click', () => {
    lang = lang === 'vi' ? 'en' : 'vi';
    localStorage.setItem('stemlab-lang', lang);
    applyLanguage();
  });

  // ---- the start form -----------------------------------------------------------------------
  function renderSensors() {
    const box = $('sensors');
    const chosen = new Set([...box.querySelectorAll('input:checked')].map((i) => i.value));
    box.replaceChildren(Object.assign(document.createElement('legend'), { textContent: t('sensors') }));
    for (const kit of lab.kits) {
      const sensors = lab.sensors.filter((s) => s.kit === kit.id);
      if (sensors.length === 0) continue;
      const group = document.createElement('div');
      group.className = 'kit';
      const note = kit.busy ? ` – ${t('busy')} ${kit.busy.group}` : kit.state !== 'connected' ? ` – ${t('notConnected')}` : '';
      group.append(Object.assign(document.createElement('strong'), { textContent: kit.label + note }));
      for (const s of sensors) {
        const label = document.createElement('label');
        const input = Object.assign(document.createElement('input'), { type: 'checkbox', value: s.id, checked: chosen.has(s.id), disabled: Boolean(kit.busy) });
        label.append(input, ` ${s.label}${s.unit ? ` (${s.unit})` : ''}`);
        group.append(label);
      }
      box.append(group);
    }
  }

  $('start').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const sensors = [...$('sensors').querySelectorAll('input:checked')].map((i) => i.value);
    if (sensors.length === 0) return showError($('start-error'), new Error(t('chooseSensor')));
    const body = { group: String(form.get('group')), sensors, rateHz: Number(form.get('rateHz')), durationS: Number(form.get('durationS')) };
    const title = String(form.get('title') || '').trim();
    if (title) body.title = title;
    try {
      const { experiment } = await call('POST', '/api/v1/lab/experiments', body);
      showError($('start-error'), null);
      await refresh();
      open(experiment.id);
    } catch (err) {
      showError($('start-error'), err);
    }
  });

  // ---- the list of experiments --------------------------------------------------------------
  function renderList() {
    const list = $('experiments');
    list.replaceChildren();
    if (lab.experiments.length === 0) list.append(Object.assign(document.createElement('li'), { textContent: t('none') }));
    for (const e of lab.experiments) {
      const item = document.createElement('li');
      const button = Object.assign(document.createElement('button'), { type: 'button', textContent: t('view') });
      button.addEventListener('click', () => open(e.id));
      item.append(button, ` ${new Date(e.startedAt).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB')} · ${e.title} · ${TEXT[lang].info(e, e.samples)}`);
      if (e.state === 'running') item.className = 'running';
      list.append(item);
    }
  }

  async function refresh() {
    try {
      lab = await call('GET', '/api/v1/lab');
      $('gateway').textContent = lab.label || lab.gateway;
      renderSensors();
      renderList();
    } catch {
      showError($('start-error'), new Error(t('unreachable')));
    }
  }

  // ---- the experiment on screen -------------------------------------------------------------
  function open(id) {
    for (const chart of current?.charts ?? []) chart.destroy();
    current = { id, meta: null, xs: [], columns: [], next: 0, charts: [] };
    $('current').hidden = false;
    void poll();
  }

  function chartSize() {
    const width = Math.max(260, $('charts').clientWidth - 8);
    return { width, height: Math.round(Math.min(320, Math.max(180, width * 0.35))) };
  }

  function buildCharts() {
    const { meta } = current;
    $('charts').replaceChildren();
    current.charts = meta.sensors.map((s, i) => {
      const box = document.createElement('div');
      box.className = 'chart';
      box.dataset.sensor = s.id;
      $('charts').append(box);
      const unit = s.unit ? ` (${s.unit})` : '';
      // Axis text follows the page's size: larger on a projector, readable at the back.
      const px = parseFloat(getComputedStyle(document.body).fontSize);
      const font = `${Math.round(px * 0.75)}px system-ui, sans-serif`;
      const labelFont = `bold ${Math.round(px * 0.8)}px system-ui, sans-serif`;
      return new uPlot(
        {
          ...chartSize(),
          title: `${s.label}${unit}`,
          scales: { x: { time: false } },
          legend: { live: true },
          series: [{ label: t('elapsed') }, { label: `${s.label}${unit}`, stroke: colors[i % colors.length], width: 2, points: { show: false } }],
          axes: [
            { label: t('elapsed'), font, labelFont },
            { label: s.unit || '', font, labelFont, size: Math.round(px * 4) },
          ],
          hooks: { draw: [drawMarks] },
        },
        [current.xs, current.columns[i]],
        box,
      );
    });
  }

  // The marks as dashed vertical lines with their labels.
  function drawMarks(u) {
    const marks = current?.meta?.marks ?? [];
    const { ctx, bbox } = u;
    ctx.save();
    ctx.strokeStyle = '#555';
    ctx.fillStyle = '#222';
    ctx.setLineDash([6, 4]);
    ctx.font = `${Math.round(12 * devicePixelRatio)}px sans-serif`;
    for (const mark of marks) {
      const x = u.valToPos(mark.atMs / 1000, 'x', true);
      if (x < bbox.left || x > bbox.left + bbox.width) continue;
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
      ctx.fillText(mark.label, x + 4, bbox.top + 14 * devicePixelRatio);
    }
    ctx.restore();
  }

  function renderCurrent(rebuild) {
    const { meta } = current;
    if (!meta) return;
    $('current-title').textContent = meta.title;
    $('current-info').textContent = TEXT[lang].info(meta, current.xs.length);
    $('current').dataset.state = meta.state;
    $('stop').hidden = meta.state !== 'running';
    $('mark').hidden = meta.state !== 'running';
    $('csv').href = `/api/v1/lab/experiments/${meta.id}/export.csv?lang=${lang}`;
    $('xlsx').href = `/api/v1/lab/experiments/${meta.id}/export.xlsx?lang=${lang}`;
    $('marks').replaceChildren(...meta.marks.map((m) => Object.assign(document.createElement('li'), { textContent: `${(m.atMs / 1000).toFixed(1)} s – ${m.label}` })));
    // For people and tests alike: how many points the charts hold.
    $('charts').dataset.points = String(current.xs.length);
    if (rebuild || current.charts.length !== meta.sensors.length) buildCharts();
    else current.charts.forEach((chart, i) => chart.setData([current.xs, current.columns[i]]));
  }

  let pollTimer;
  async function poll() {
    clearTimeout(pollTimer);
    const shown = current;
    if (!shown) return;
    try {
      const { experiment, rows, next } = await call('GET', `/api/v1/lab/experiments/${shown.id}/readings?since=${shown.next}`);
      if (current !== shown) return;
      const first = !shown.meta;
      shown.meta = experiment;
      if (first) shown.columns = experiment.sensors.map(() => []);
      for (const [ms, ...values] of rows) {
        shown.xs.push(ms / 1000);
        values.forEach((v, i) => shown.columns[i].push(v));
      }
      shown.next = next;
      renderCurrent(first);
      showError($('current-error'), null);
      if (experiment.state !== 'running') return void refresh();
    } catch (err) {
      showError($('current-error'), err);
    }
    pollTimer = setTimeout(poll, 500);
  }

  $('stop').addEventListener('click', async () => {
    try {
      await call('POST', `/api/v1/lab/experiments/${current.id}/stop`);
      await poll();
    } catch (err) {
      showError($('current-error'), err);
    }
  });

  $('mark').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = event.target.elements.label;
    try {
      const { experiment } = await call('POST', `/api/v1/lab/experiments/${current.id}/marks`, { label: input.value });
      current.meta = experiment;
      input.value = '';
      current.charts.forEach((chart) => chart.redraw());
      renderCurrent(false);
    } catch (err) {
      showError($('current-error'), err);
    }
  });

  window.addEventListener('resize', () => current?.charts.forEach((chart) => chart.setSize(chartSize())));

  applyLanguage();
  void refresh().then(() => {
    const running = lab.experiments.find((e) => e.state === 'running');
    if (running) open(running.id);
  });
  setInterval(refresh, 3000);
})();

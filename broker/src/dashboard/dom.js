// Building the page with DOM calls only (never innerHTML): text from the server cannot become
// markup, and nothing inline is needed under the strict Content-Security-Policy.

/** h('a', { href: '#/', class: 'x', onclick: fn }, 'text', child) */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked' || key === 'selected') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

let ids = 0;

/** A labelled control; a hint is tied to it by aria-describedby (read after the label, not in its name). */
export function field(label, control, hint) {
  control.id ||= `field-${++ids}`;
  const note = hint ? h('small', { id: `${control.id}-hint` }, hint) : null;
  if (note) control.setAttribute('aria-describedby', note.id);
  return h('div', { class: 'field' }, h('label', { for: control.id, class: 'label' }, label), control, note);
}

/** A select of [value, text] options. */
export function select(props, options, selected) {
  return h('select', props, options.map(([value, text]) => h('option', { value, selected: value === selected }, text)));
}

/** A table with a caption (for screen readers), header cells and rows of cells; scrolls sideways on a phone. */
export function table(caption, headers, rows, className = '') {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: className },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, headers.map((text) => h('th', { scope: 'col' }, text)))),
      h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c))))),
    ),
  );
}

/** An alert box: role=alert for errors (read out at once), status for confirmations. */
export function notice(kind, text) {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

'use strict';
/**
 * The palette's shared runtime messages (kit states, refused commands) live once, under
 * "stemlab." in the catalog of the stemlab-kit node set (locales/<lang>/stemlab-kit.json).
 * Node-RED binds each node set's RED._ to that set's own catalog, so stemlab-kit.js hands its
 * translator to this module when Node-RED loads it, and every node of the palette speaks through
 * it in the runtime's language (settings.lang, or LANG).
 */
let translate;

function useTranslator(fn) {
  translate = fn;
  memo.clear();
}

// Translated messages by key and values. A node's status is rendered on every motion and reading
// (the kit's "connected" between two commands of a line follower: tens a second), and an i18next
// lookup costs far more than a Map's; the runtime's language does not change while it runs.
// Bounded: values such as a fault's reason vary.
const memo = new Map();
const MEMO_MAX = 500;

/** The message, or undefined when the catalog has none (Node-RED then answers with the key). */
function translated(key, vars) {
  const memoKey = vars === undefined ? key : `${key}\u0000${JSON.stringify(vars)}`;
  if (memo.has(memoKey)) return memo.get(memoKey);
  const full = `stemlab.${key}`;
  const text = translate ? translate(full, vars) : undefined;
  const result = typeof text === 'string' && text !== full && !text.endsWith(`:${full}`) ? text : undefined;
  // A missing message is not kept: its catalog may not be loaded yet.
  if (result !== undefined) {
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(memoKey, result);
  }
  return result;
}

/** The message, or its key as Node-RED shows a missing one. */
function t(key, vars) {
  return translated(key, vars) ?? `stemlab.${key}`;
}

module.exports = { useTranslator, translated, t };

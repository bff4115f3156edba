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
}

/** The message, or undefined when the catalog has none (Node-RED then answers with the key). */
function translated(key, vars) {
  const full = `stemlab.${key}`;
  const text = translate ? translate(full, vars) : undefined;
  return typeof text === 'string' && text !== full && !text.endsWith(`:${full}`) ? text : undefined;
}

/** The message, or its key as Node-RED shows a missing one. */
function t(key, vars) {
  return translated(key, vars) ?? `stemlab.${key}`;
}

module.exports = { useTranslator, translated, t };

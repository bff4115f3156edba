import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bridgeCommandErrorCodes } from '@stemlab/protocol';

// The palette as Node-RED loads it: a node package whose every node set is a .js/.html pair
// with English and Vietnamese labels and help, and whose catalogs say everything the nodes say.

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const pkg = JSON.parse(read('package.json')) as Record<string, unknown> & { 'node-red': { version: string; nodes: Record<string, string> } };
const sets = Object.entries(pkg['node-red'].nodes);
const langs = ['en-US', 'vi'] as const;

type Catalog = { [key: string]: string | Catalog };
const catalog = (lang: string, set: string) => JSON.parse(read(`nodes/locales/${lang}/${set}.json`)) as Catalog;
function keys(c: Catalog, prefix = ''): string[] {
  return Object.entries(c).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`)));
}
function lookup(c: Catalog, key: string): string | undefined {
  let at: string | Catalog | undefined = c;
  for (const part of key.split('.')) at = typeof at === 'object' ? at[part] : undefined;
  return typeof at === 'string' ? at : undefined;
}
const matches = (source: string, re: RegExp) => [...source.matchAll(re)].map((m) => m[1]!);

describe('the node package', () => {
  it('is a CommonJS Node-RED package for Node-RED 4', () => {
    expect(pkg.type).toBeUndefined();
    expect(pkg.keywords).toContain('node-red');
    expect(pkg['node-red'].version).toBe('>=4.0.0');
    expect(sets.length).toBe(13);
  });

  it('pairs every node set with its editor file, and registers the type it is named after', () => {
    for (const [set, file] of sets) {
      expect(file).toBe(`nodes/${set}.js`);
      expect(read(file)).toContain(`RED.nodes.registerType('${set}'`);
      expect(read(`nodes/${set}.html`)).toContain(`RED.nodes.registerType('${set}'`);
      if (set !== 'stemlab-kit') expect(read(`nodes/${set}.html`)).toContain("category: 'STEMLab'");
    }
  });

  it('has labels and help in English and Vietnamese for every node', () => {
    for (const [set] of sets) {
      for (const lang of langs) {
        expect(existsSync(new URL(`nodes/locales/${lang}/${set}.json`, root)), `${lang}/${set}.json`).toBe(true);
        expect(read(`nodes/locales/${lang}/${set}.html`)).toContain(`data-help-name="${set}"`);
      }
      expect(keys(catalog('vi', set)).sort(), set).toEqual(keys(catalog('en-US', set)).sort());
    }
    expect(readdirSync(new URL('nodes/locales/vi/', root)).sort()).toEqual(readdirSync(new URL('nodes/locales/en-US/', root)).sort());
  });

  it('fills in the same placeholders in both languages', () => {
    for (const [set] of sets) {
      const en = catalog('en-US', set);
      const vi = catalog('vi', set);
      for (const key of keys(en)) {
        const placeholders = (text: string | undefined) => matches(text ?? '', /__(\w+)__/g).sort();
        expect(placeholders(lookup(vi, key)), `${set}: ${key}`).toEqual(placeholders(lookup(en, key)));
      }
    }
  });

  it('has a message for every key the nodes use', () => {
    const missing: string[] = [];
    const need = (set: string, key: string) => langs.forEach((lang) => lookup(catalog(lang, set), key) === undefined && missing.push(`${lang}/${set}: ${key}`));
    for (const [set] of sets) {
      const js = read(`nodes/${set}.js`);
      const html = read(`nodes/${set}.html`);
      for (const key of matches(js, /RED\._\('([^']+)'/g)) need(set, key);
      for (const key of matches(html, /this\._\('([^']+)'\)/g)) need(set, key);
      for (const key of matches(html, /data-i18n="(?:\[\w+\])?([^"]+)"/g)) need(set, key);
    }
    // The shared messages (lib/), in the stemlab-kit catalog under "stemlab.".
    for (const file of readdirSync(new URL('nodes/lib/', root))) {
      for (const key of matches(read(`nodes/lib/${file}`), /\bt\('([^']+)'/g)) need('stemlab-kit', `stemlab.${key}`);
    }
    // Keys built at run time.
    for (const state of ['connected', 'disconnected', 'fault', 'connecting', 'stopped']) need('stemlab-kit', `stemlab-kit.state.${state}`);
    for (const action of ['forward', 'back', 'backward', 'reverse', 'left', 'right', 'stop']) need('stemlab-robot-drive', `stemlab-robot-drive.action.${action}`);
    for (const action of ['forward', 'reverse', 'stop']) need('stemlab-motor', `stemlab-motor.action.${action}`);
    for (const action of ['on', 'off', 'toggle', 'blink']) need('stemlab-led', `stemlab-led.action.${action}`);
    for (const event of ['press', 'hold', 'release']) need('stemlab-button', `stemlab-button.event.${event}`);
    for (const kind of ['lesson', 'experiment', 'club-session', 'class', 'free-practice']) need('stemlab-usage', `stemlab-usage.kind.${kind}`);
    expect(missing).toEqual([]);
  });

  it("words every refusal a command can meet in the user's language", () => {
    // The bridge contract's refusals (a kit's BOARD_* fault codes are its badge, never a command's answer).
    const commandCodes = Object.keys(bridgeCommandErrorCodes);
    for (const lang of langs) {
      for (const code of commandCodes) expect(lookup(catalog(lang, 'stemlab-kit'), `stemlab.errors.${code}`), `${lang}: ${code}`).toBeDefined();
    }
  });
});

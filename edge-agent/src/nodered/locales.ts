/**
 * Vietnamese for the editor. Node-RED 4.1 ships no `vi` editor locale, and its `lang` setting
 * only sets the runtime's log language: the editor picks its language in the browser
 * (localStorage "editor-language", else navigator.language). So:
 *
 * 1. A page script (editorTheme.page.scripts) sets "editor-language" to `nodered.lang` in a
 *    browser that has not chosen one: the STEMLab palette's `vi` labels and help (flows/nodes/
 *    locales/vi) then show, and the user can still switch in User Settings → View → Language.
 * 2. Our `vi` catalogs for Node-RED's own namespaces: `editor` (menus, deploy, palette,
 *    sidebars, dialogs, log-in), `infotips` (the sidebar's tips) and `node-red` (the core
 *    nodes lessons use: inject, debug, catch, status, switch, change, delay, trigger, link,
 *    comment). Node-RED's i18n keeps one
 *    directory per namespace (`i18n.registerMessageCatalog(namespace, dir, file)`), so each is
 *    registered again after start on a directory under the user dir that links every language
 *    Node-RED ships and adds `vi`. A key we did not translate falls back to English (Node-RED
 *    merges en-US under every catalog it reads). What stays English: the rest of those
 *    catalogs (project, diff, library and settings dialogs, most error texts), the `jsonata`
 *    namespace (the expression editor's function help), core node help texts and edit dialogs beyond the labels above,
 *    core node names in the palette (they are type names), and the code editor (Monaco has no
 *    `vi`). See edge-agent/src/nodered/README.md.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../core/log.ts';
import { loadRedI18n, nodeRedPackageDir } from './red.ts';

const ours = fileURLToPath(new URL('./locales/', import.meta.url));

const catalogs = [
  { namespace: 'editor', package: '@node-red/editor-client', file: 'editor.json' },
  { namespace: 'infotips', package: '@node-red/editor-client', file: 'infotips.json' },
  { namespace: 'node-red', package: '@node-red/nodes', file: 'messages.json' },
] as const;

/** Add the `vi` catalogs to the running Node-RED (after RED.start(): the editor registers its own then). */
export async function registerVietnamese(userDir: string, log: Logger): Promise<void> {
  const i18n = loadRedI18n();
  for (const catalog of catalogs) {
    const original = join(nodeRedPackageDir(catalog.package), 'locales');
    const dir = join(userDir, 'locales', catalog.namespace);
    try {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(join(dir, 'vi'), { recursive: true });
      for (const lang of readdirSync(original, { withFileTypes: true })) {
        if (lang.isDirectory() && lang.name !== 'vi') symlinkSync(join(original, lang.name), join(dir, lang.name), 'dir');
      }
      copyFileSync(join(ours, 'vi', catalog.file), join(dir, 'vi', catalog.file));
      await i18n.registerMessageCatalog(catalog.namespace, dir, catalog.file);
      // With lang 'vi' Node-RED already tried to load `vi` when it registered the namespace, and
      // i18next never retries a failed load: hand it the catalog (over English, as Node-RED's
      // own loader merges it). Later requests for vi-VN find it through the directory above.
      const english = i18n.i.getResourceBundle('en-US', catalog.namespace) ?? {};
      const vietnamese = JSON.parse(readFileSync(join(ours, 'vi', catalog.file), 'utf8')) as Record<string, unknown>;
      i18n.i.addResourceBundle('vi', catalog.namespace, structuredClone(english), true, true);
      i18n.i.addResourceBundle('vi', catalog.namespace, vietnamese, true, true);
    } catch (err) {
      // The editor still works in English; say why Vietnamese is missing.
      log.warn({ err, namespace: catalog.namespace }, 'could not add the Vietnamese catalog; that part of the editor stays in English');
    }
  }
}

/**
 * The editor page script that starts a browser without a language choice in `lang`; written to
 * the user dir at each start (Node-RED serves it as /theme/scripts/...).
 */
export function writeLanguageScript(userDir: string, lang: string): string {
  const file = join(userDir, 'stemlab-editor-language.js');
  writeFileSync(
    file,
    `// Written by the STEMLab agent at each start (nodered.lang): the editor's language where the browser has not chosen one.
(function () {
  try {
    if (!localStorage.getItem('editor-language')) localStorage.setItem('editor-language', ${JSON.stringify(lang)});
  } catch (e) {
    // no localStorage (private window): the browser's language applies
  }
})();
`,
  );
  return file;
}

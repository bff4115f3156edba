'use strict';
/**
 * The check button in the editor: the "Chấm bài / Check" sidebar (stemlab-check.html) posts the
 * student's current tab here, and the lesson's automatic check runs it in a process of its own
 * (`stemlab lesson check LESSON FLOW.json --json`: its simulated clock must not touch the
 * agent's timers), on simulated hardware, never on the room's kits. The verdict and the feedback
 * go back to the sidebar; the trace stays out of the answer (the CLI's --json has it).
 */
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const bin = path.resolve(__dirname, '../../bin/stemlab.js');
// The check runs a student's flow, which can read environment variables ($env() in a change
// node): it gets only what a Node.js process needs to run, never the agent's own (tokens,
// passwords, database URLs).
const CHECK_ENV = ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'TZ', 'SYSTEMROOT'];
function checkEnv() {
  const env = {};
  for (const name of CHECK_ENV) if (process.env[name] !== undefined) env[name] = process.env[name];
  return env;
}
const catalogue = require('../lessons/index.json');
const exampleLabels = require('../lessons/examples-labels.json');

/**
 * Who checks: the editor account logged in on the request (Node-RED's bearer token), never a
 * field of the posted body, so a student cannot submit a check in another's name.
 */
function checkedBy(req) {
  return req.user ? req.user.username : undefined;
}

/** The id of the posted flow's tab: what the student claims, judged by the agent (mayCheck). */
function tabOf(flow) {
  const tab = flow.find((n) => n && n.type === 'tab');
  return tab && typeof tab.id === 'string' ? tab.id : undefined;
}

/**
 * Ask the agent (the bridge's optional `mayCheck`) whether this user may submit a check of this
 * tab: in a club session, a student's check counts only for their own team, so a flow claiming
 * another team's tab is refused before it runs. Returns the refusal to answer, or undefined.
 */
function refusal(RED, req, lesson, flow, lang) {
  const bridge = RED.settings.stemlab;
  if (!bridge || typeof bridge.mayCheck !== 'function') return undefined;
  try {
    bridge.mayCheck({ lessonId: lesson, tab: tabOf(flow), by: checkedBy(req) });
    return undefined;
  } catch (err) {
    // Fails closed: an error without a code is a fault of the agent, not a permission.
    const vi = err && err.extra && typeof err.extra.messageVi === 'string' ? err.extra.messageVi : undefined;
    const error = lang === 'en' || !vi ? String(err && err.message) : vi;
    RED.log.warn(`stemlab-check: ${checkedBy(req)} refused a check of tab ${tabOf(flow)}: ${err && err.message}`);
    return { status: err && err.code ? err.status || 403 : 500, body: { code: err && err.code, error } };
  }
}

/**
 * Tell the agent (the bridge's optional `checked`) which tab was checked, the kits its flow
 * names, who checked and the verdict: the room console shows the checking user's team's verdict
 * as it comes. A failure here never costs the student their verdict.
 */
function report(RED, req, lesson, flow, result) {
  const bridge = RED.settings.stemlab;
  if (!bridge || typeof bridge.checked !== 'function') return;
  try {
    const kits = flow.filter((n) => n && n.type === 'stemlab-kit' && typeof n.kit === 'string').map((n) => n.kit);
    bridge.checked({ lessonId: lesson, tab: tabOf(flow), kits, by: checkedBy(req), status: result.status, message: String(result.message || '') });
  } catch (err) {
    RED.log.warn(`stemlab-check: the room console was not told of the verdict: ${err.message}`);
  }
}

module.exports = function (RED) {
  RED.plugins.registerPlugin('stemlab-check', { type: 'stemlab-check' });
  RED.httpAdmin.get('/stemlab/lessons', RED.auth.needsPermission('flows.read'), (_req, res) => {
    res.json(catalogue.lessons);
  });
  // Import ▸ Examples in the editor's language: the names of the lesson examples' folders and
  // files in Vietnamese and English (Node-RED shows file names, the same in every language).
  RED.httpAdmin.get('/stemlab/example-labels', RED.auth.needsPermission('flows.read'), (_req, res) => {
    res.json(exampleLabels);
  });
  RED.httpAdmin.post('/stemlab/check', RED.auth.needsPermission('flows.read'), (req, res) => {
    const { lesson, flow, lang } = req.body || {};
    if (!catalogue.lessons.some((l) => l.id === lesson)) return res.status(400).json({ error: `lesson: one of ${catalogue.lessons.map((l) => l.id).join(', ')}` });
    if (!Array.isArray(flow)) return res.status(400).json({ error: 'flow: the nodes of your tab (a JSON array)' });
    const refused = refusal(RED, req, lesson, flow, lang);
    if (refused) return res.status(refused.status).json(refused.body);
    const file = path.join(os.tmpdir(), `stemlab-check-${process.pid}-${Date.now()}-${Math.round(Math.random() * 1e6)}.json`);
    fs.writeFileSync(file, JSON.stringify(flow), { mode: 0o600 });
    const args = [bin, 'lesson', 'check', lesson, file, '--json', '--lang', lang === 'en' ? 'en' : 'vi'];
    execFile(process.execPath, args, { env: checkEnv(), timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      fs.rm(file, { force: true }, () => {});
      try {
        const result = JSON.parse(stdout);
        delete result.trace;
        report(RED, req, lesson, flow, result);
        res.json(result);
      } catch {
        res.status(500).json({ error: `the check did not answer (${err ? err.message : 'no output'})` });
      }
    });
  });
};

'use strict';
/**
 * @stemlab/flows as a library, for the agent that hosts Node-RED (it points Node-RED at this
 * package to load the palette) and for the tools that deploy a lesson to a club's gateways:
 * where things are, and the lesson catalogue with each lesson's starter and solution flows.
 */
const fs = require('node:fs');
const path = require('node:path');

const packageDir = __dirname;
const lessonsDir = path.join(__dirname, 'lessons');
const catalogue = require('./lessons/index.json');

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** A lesson by id: its lesson.json, with the starter and solution flows read in. */
function lesson(id) {
  const entry = catalogue.lessons.find((l) => l.id === id);
  if (!entry) throw new Error(`no lesson '${id}' (lessons: ${catalogue.lessons.map((l) => l.id).join(', ')})`);
  const dir = path.join(lessonsDir, entry.path);
  const meta = readJson(path.join(dir, 'lesson.json'));
  return { ...meta, starter: readJson(path.join(dir, meta.starter)), solution: readJson(path.join(dir, meta.solution)) };
}

module.exports = { packageDir, lessonsDir, catalogue, lesson };

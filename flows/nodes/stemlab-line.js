'use strict';
const { sensorNode } = require('./lib/sensor');

/**
 * stemlab-line: a line-follower array, left to right. msg.payload is the readings (0–1023 for
 * analog sensors, 0/1 for digital ones); msg.line says which sensors see the line (a reading
 * above the threshold, or below it when the node is set to invert) and msg.position where the
 * line is: -1 under the leftmost sensor, 0 in the middle, 1 under the rightmost, null when no
 * sensor sees it.
 */
function position(line) {
  const seen = line.map((on, i) => (on ? (line.length === 1 ? 0 : -1 + (2 * i) / (line.length - 1)) : null)).filter((x) => x !== null);
  if (seen.length === 0) return null;
  return Math.round((seen.reduce((a, b) => a + b, 0) / seen.length) * 1000) / 1000;
}

module.exports = function (RED) {
  function StemlabLineNode(config) {
    RED.nodes.createNode(this, config);
    const threshold = Number(config.threshold === '' || config.threshold === undefined ? 512 : config.threshold);
    sensorNode(RED, this, config, {
      convert: (readings) => {
        if (!Array.isArray(readings)) return { payload: null, status: '' };
        const line = readings.map((v) => (config.invert ? v < threshold : v > threshold));
        return { payload: readings, line, position: position(line), status: line.map((on) => (on ? '●' : '○')).join('') };
      },
    });
  }
  RED.nodes.registerType('stemlab-line', StemlabLineNode);
};

'use strict';
const { sensorNode } = require('./lib/sensor');

/**
 * stemlab-analog: an analog sensor (light, sound, soil moisture...). Output 1 sends each change
 * as msg.payload (scaled when the agent's config gives the sensor a scale; msg.raw the 0–1023
 * reading); with a threshold, output 2 sends true when the value rises above it and false when
 * it falls back below (msg.event "above"/"below").
 */
module.exports = function (RED) {
  function StemlabAnalogNode(config) {
    RED.nodes.createNode(this, config);
    sensorNode(RED, this, config, {
      side: 'above',
      convert: (reading) => (reading ? { payload: reading.value, raw: reading.raw, number: reading.value, status: String(reading.value) } : { payload: null, status: '' }),
    });
  }
  RED.nodes.registerType('stemlab-analog', StemlabAnalogNode);
};

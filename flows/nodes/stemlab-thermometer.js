'use strict';
const { sensorNode } = require('./lib/sensor');

/**
 * stemlab-thermometer: the temperature in °C as msg.payload, on each change; with a threshold,
 * output 2 sends true when it gets hotter than that and false when it cools back below.
 */
module.exports = function (RED) {
  function StemlabThermometerNode(config) {
    RED.nodes.createNode(this, config);
    sensorNode(RED, this, config, {
      side: 'above',
      convert: (reading) => (reading ? { payload: reading.celsius, number: reading.celsius, status: `${reading.celsius} °C` } : { payload: null, status: '' }),
    });
  }
  RED.nodes.registerType('stemlab-thermometer', StemlabThermometerNode);
};

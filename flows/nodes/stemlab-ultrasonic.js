'use strict';
const { sensorNode } = require('./lib/sensor');

/**
 * stemlab-ultrasonic: an HC-SR04's distance in cm as msg.payload, on each change (null when no
 * echo comes back: nothing in range). With a "near" distance, output 2 sends true when something
 * comes nearer than that and false when it is gone again (msg.event "near"/"far").
 */
module.exports = function (RED) {
  function StemlabUltrasonicNode(config) {
    RED.nodes.createNode(this, config);
    sensorNode(RED, this, config, {
      side: 'below',
      events: ['near', 'far'],
      // No echo means nothing within the sensor's reach: as far as it gets.
      convert: (reading) => {
        const cm = reading?.cm ?? null;
        return { payload: cm, number: cm ?? Infinity, status: cm === null ? '— cm' : `${cm} cm` };
      },
    });
  }
  RED.nodes.registerType('stemlab-ultrasonic', StemlabUltrasonicNode);
};

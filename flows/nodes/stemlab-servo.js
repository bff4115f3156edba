'use strict';
const { kitLink, stemlabError } = require('./lib/kit-link');

/**
 * stemlab-servo: turn a servo. The node's action when it has one, else msg.payload: an angle
 * in degrees, "center", "stop", or {action: "to", degrees}. The agent keeps the angle within the
 * servo's range and the kit's limits (a sonar mount that hits its stops at 0° and 180°).
 */
module.exports = function (RED) {
  function command(msgPayload, config) {
    const payload = config.action || msgPayload;
    if (payload === 'to') return { action: 'to', degrees: Number(config.degrees) };
    if (typeof payload === 'number') return { action: 'to', degrees: payload };
    if (payload === 'center' || payload === 'stop') return { action: payload };
    if (payload && typeof payload === 'object' && typeof payload.action === 'string') return payload;
    throw stemlabError('PAYLOAD_INVALID', RED._('stemlab-servo.errors.payload'));
  }

  function StemlabServoNode(config) {
    RED.nodes.createNode(this, config);
    const link = kitLink(RED, this, config, { actuator: true });
    this.on('input', (msg, send, done) => {
      try {
        const applied = link.command(config.component, command(msg.payload, config));
        if (typeof applied.angle === 'number') link.show(`${applied.angle}°`);
        done();
      } catch (err) {
        done(err);
      }
    });
  }
  RED.nodes.registerType('stemlab-servo', StemlabServoNode);
};

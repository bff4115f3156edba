'use strict';
const { kitLink, stemlabError } = require('./lib/kit-link');

/**
 * stemlab-led: switch an LED. The node's action (on, off, toggle, blink) when it has one, else
 * msg.payload: true/false, "on"/"off"/"toggle"/"blink", a number (0 off, 1 on, 2–255 brightness
 * on a PWM LED) or a command object ({action: "blink", ms: 300}).
 */
module.exports = function (RED) {
  function command(msgPayload, config) {
    const payload = config.action || msgPayload;
    if (payload === true || payload === false) return { action: payload ? 'on' : 'off' };
    if (typeof payload === 'number') {
      if (payload === 0 || payload === 1) return { action: payload ? 'on' : 'off' };
      return { action: 'brightness', value: Math.round(payload) };
    }
    if (['on', 'off', 'toggle'].includes(payload)) return { action: payload };
    if (payload === 'blink') return { action: 'blink', ms: Number(config.ms) || 500 };
    if (payload && typeof payload === 'object' && typeof payload.action === 'string') return payload;
    throw stemlabError('PAYLOAD_INVALID', RED._('stemlab-led.errors.payload'));
  }

  function StemlabLedNode(config) {
    RED.nodes.createNode(this, config);
    // An LED is an indicator, not an actuator: the agent's e-stop leaves it alone (it may show the stop).
    const link = kitLink(RED, this, config);
    this.on('input', (msg, send, done) => {
      try {
        const applied = link.command(config.component, command(msg.payload, config));
        link.show(applied.on ? (applied.blinkMs ? `${RED._('stemlab-led.status.blink')} ${applied.blinkMs} ms` : RED._('stemlab-led.status.on')) : RED._('stemlab-led.status.off'));
        done();
      } catch (err) {
        done(err);
      }
    });
  }
  RED.nodes.registerType('stemlab-led', StemlabLedNode);
};

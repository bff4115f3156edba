'use strict';
const { kitLink, stemlabError } = require('./lib/kit-link');

/**
 * stemlab-buzzer: play a tone on a piezo buzzer. The node's action when it has one, else
 * msg.payload: a frequency in Hz, true (the node's tone), false or "off", or
 * {frequency, ms}. A tone lasts the node's duration unless the message gives one.
 */
module.exports = function (RED) {
  function command(msgPayload, config) {
    const payload = config.action || msgPayload;
    const tone = (frequency, ms) => ({ action: 'tone', frequency: Math.round(frequency), ms: Math.round(ms ?? (Number(config.ms) || 250)) });
    if (payload === 'tone' || payload === true) return tone(Number(config.frequency) || 880);
    if (payload === 'off' || payload === false) return { action: 'off' };
    if (typeof payload === 'number') return tone(payload);
    if (payload && typeof payload === 'object') {
      if (typeof payload.action === 'string') return payload;
      if (typeof payload.frequency === 'number') return tone(payload.frequency, payload.ms);
    }
    throw stemlabError('PAYLOAD_INVALID', RED._('stemlab-buzzer.errors.payload'));
  }

  function StemlabBuzzerNode(config) {
    RED.nodes.createNode(this, config);
    const link = kitLink(RED, this, config, { actuator: true });
    let quiet;
    this.on('input', (msg, send, done) => {
      try {
        const applied = link.command(config.component, command(msg.payload, config));
        clearTimeout(quiet);
        link.show(applied.playing ? `♪ ${applied.frequency} Hz` : '');
        // The tone ends by itself on the board; the badge follows.
        if (applied.playing) quiet = setTimeout(() => link.show(''), applied.ms);
        done();
      } catch (err) {
        done(err);
      }
    });
    this.on('close', () => clearTimeout(quiet));
  }
  RED.nodes.registerType('stemlab-buzzer', StemlabBuzzerNode);
};

'use strict';
const { kitLink } = require('./lib/kit-link');

/**
 * stemlab-button: a push button's presses. Sends msg.payload true on press (and hold), false on
 * release, so it can drive an LED directly; msg.event says "press", "hold" or "release" and the
 * node can be set to send only some of them. An input message sends the button's state now
 * (msg.event "read").
 */
module.exports = function (RED) {
  function StemlabButtonNode(config) {
    RED.nodes.createNode(this, config);
    const link = kitLink(RED, this, config);
    const topic = `${link.kit}/${config.component}`;
    const wanted = { press: config.press !== false, hold: config.hold !== false, release: config.release !== false };

    link.onReading(config.component, (value) => {
      const event = !value.pressed ? 'release' : value.held ? 'hold' : 'press';
      link.show(RED._(`stemlab-button.event.${event}`));
      if (wanted[event]) this.send({ topic, payload: value.pressed, event, held: value.held });
    });
    this.on('input', (msg, send, done) => {
      try {
        const { value } = link.command(config.component, { action: 'read' });
        send(Object.assign(msg, { topic, payload: Boolean(value?.pressed), event: 'read', held: Boolean(value?.held) }));
        done();
      } catch (err) {
        done(err);
      }
    });
  }
  RED.nodes.registerType('stemlab-button', StemlabButtonNode);
};

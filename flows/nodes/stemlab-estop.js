'use strict';
const { stemlabError } = require('./lib/kit-link');

/**
 * stemlab-estop: the gateway's emergency stop. Sends msg.payload true when it latches (every
 * actuator of every kit stopped) and false when a teacher resets it, msg.event
 * "latched"/"reset", msg.source who did it. An input message triggers it, except one whose
 * payload is false, 0, null or empty, so a button or a threshold output can be wired straight
 * in. Flows cannot reset it: that stays a teacher's act (the agent's API or CLI).
 */
module.exports = function (RED) {
  function StemlabEstopNode(config) {
    RED.nodes.createNode(this, config);
    const bridge = RED.settings.stemlab;

    const render = () => {
      if (!bridge) this.status({ fill: 'red', shape: 'ring', text: RED._('stemlab-estop.status.no-agent') });
      else if (bridge.estop.latched()) this.status({ fill: 'red', shape: 'dot', text: `⛔ ${RED._('stemlab-estop.status.latched')}` });
      else this.status({ fill: 'green', shape: 'dot', text: RED._('stemlab-estop.status.released') });
    };

    const off = bridge?.onEstop((event) => {
      render();
      this.send({ topic: 'estop', payload: event.latched, event: event.latched ? 'latched' : 'reset', source: event.source });
    });
    this.on('close', () => off?.());
    render();

    this.on('input', (msg, send, done) => {
      const p = msg.payload;
      if (p === false || p === 0 || p === null || p === '') {
        done();
        return;
      }
      if (!bridge) {
        done(stemlabError('NO_AGENT', RED._('stemlab-estop.status.no-agent')));
        return;
      }
      try {
        bridge.estop.trigger(`node-red:${config.name || this.id}`);
        done();
      } catch (err) {
        done(err);
      }
    });
  }
  RED.nodes.registerType('stemlab-estop', StemlabEstopNode);
};

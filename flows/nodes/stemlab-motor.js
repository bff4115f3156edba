'use strict';
const { kitLink, stemlabError } = require('./lib/kit-link');
const { motorCommand, motionNode } = require('./lib/motion');

/**
 * stemlab-motor: drive one DC motor. The node's action when it has one, else msg.payload: a
 * signed speed (-255..255, 0 stops), "forward", "reverse", "stop", or {action, speed, ms}.
 * Like the robot drive, a motion goes on (re-sent at a third of the agent's watchdog window, lib/motion.js) until
 * the next command, or for `ms` after which the message is sent on.
 */
module.exports = function (RED) {
  function StemlabMotorNode(config) {
    RED.nodes.createNode(this, config);
    const link = kitLink(RED, this, config, { actuator: true });
    const invalid = () => stemlabError('PAYLOAD_INVALID', RED._('stemlab-motor.errors.payload'));

    function parse(msg) {
      let p = config.action ? { action: config.action } : msg.payload;
      if (typeof p === 'number') p = { speed: p };
      else if (typeof p === 'string') p = { action: p };
      if (!p || typeof p !== 'object') throw invalid();
      const ms = p.ms ?? (Number(config.ms) || 0);
      if (typeof ms !== 'number' || !(ms >= 0)) throw invalid();
      const speed = p.speed ?? Number(config.speed);
      const sign = { forward: 1, reverse: -1, back: -1, stop: 0 }[p.action ?? 'forward'];
      if (sign === undefined) throw invalid();
      const command = motorCommand(sign * speed);
      const text = command.action === 'stop' ? RED._('stemlab-motor.action.stop') : `${RED._(`stemlab-motor.action.${command.action}`)} ${command.speed}`;
      return { steps: [{ component: config.component, command }], ms, text: ms > 0 ? `${text} · ${ms / 1000} s` : text };
    }

    motionNode(this, link, parse, (plan) => plan.text);
  }
  RED.nodes.registerType('stemlab-motor', StemlabMotorNode);
};

'use strict';
const { kitLink, stemlabError } = require('./lib/kit-link');
const { motorCommand, motionNode } = require('./lib/motion');

/**
 * stemlab-robot-drive: drive a two-motor robot. The node's action when it has one, else
 * msg.payload: "forward", "back", "left", "right" (turning on the spot), "stop", or
 * {action, speed, ms}, or {left, right, ms} with a signed speed per wheel (-255..255).
 *
 * A motion goes on until the next command: the node re-sends it at a third of the agent's dead-man window to keep the
 * agent's dead-man watchdog fed (lib/motion.js). With `ms` it stops by itself after that long
 * and then sends the message on, so timed moves can be chained.
 */
const WHEELS = {
  forward: [1, 1],
  back: [-1, -1],
  backward: [-1, -1],
  reverse: [-1, -1],
  left: [-1, 1],
  right: [1, -1],
  stop: [0, 0],
};

module.exports = function (RED) {
  // The status text of each action, looked up once: a line follower sends tens of commands a
  // second, and an i18next lookup costs far more than the map (the runtime's language is fixed).
  const labels = new Map();
  const label = (action) => {
    if (!labels.has(action)) labels.set(action, RED._(`stemlab-robot-drive.action.${action}`));
    return labels.get(action);
  };

  function StemlabRobotDriveNode(config) {
    RED.nodes.createNode(this, config);
    const link = kitLink(RED, this, config, { actuator: true });
    const invalid = () => stemlabError('PAYLOAD_INVALID', RED._('stemlab-robot-drive.errors.payload'));

    function parse(msg) {
      let p = config.action ? { action: config.action } : msg.payload;
      if (typeof p === 'string') p = { action: p };
      if (!p || typeof p !== 'object') throw invalid();
      const ms = p.ms ?? (Number(config.ms) || 0);
      if (typeof ms !== 'number' || !(ms >= 0)) throw invalid();
      let left;
      let right;
      let text;
      if (p.action === undefined && (p.left !== undefined || p.right !== undefined)) {
        left = p.left ?? 0;
        right = p.right ?? 0;
        text = `${left} / ${right}`;
      } else {
        const action = String(p.action).toLowerCase();
        const wheels = WHEELS[action];
        if (!wheels) throw invalid();
        const speed = p.speed ?? Number(config.speed);
        [left, right] = wheels.map((sign) => sign * speed);
        text = action === 'stop' ? label('stop') : `${label(action)} ${speed}`;
      }
      return {
        steps: [
          { component: config.left, command: motorCommand(left) },
          { component: config.right, command: motorCommand(right) },
        ],
        ms,
        text: ms > 0 ? `${text} · ${ms / 1000} s` : text,
      };
    }

    motionNode(this, link, parse, (plan) => plan.text);
  }
  RED.nodes.registerType('stemlab-robot-drive', StemlabRobotDriveNode);
};

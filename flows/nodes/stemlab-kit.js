'use strict';
const { useTranslator } = require('./lib/i18n');

/**
 * stemlab-kit: a config node naming one kit of this gateway (its id in the agent's config, e.g.
 * 'robot-1'). The palette's other nodes point at it; the agent itself is reached through
 * RED.settings.stemlab, the bridge the agent passes in Node-RED's settings.
 */
module.exports = function (RED) {
  // This set's catalog holds the messages every node of the palette shares (lib/i18n.js).
  useTranslator((key, vars) => RED._(key, vars));

  function StemlabKitNode(config) {
    RED.nodes.createNode(this, config);
    this.kit = config.kit;
    this.name = config.name;
  }
  RED.nodes.registerType('stemlab-kit', StemlabKitNode);

  // The editor lists this gateway's kits and their components in the nodes' dialogs.
  RED.httpAdmin.get('/stemlab/kits', RED.auth.needsPermission('flows.read'), (req, res) => {
    const bridge = RED.settings.stemlab;
    if (!bridge) {
      res.status(503).json({ error: 'NO_AGENT', message: RED._('stemlab.status.no-agent') });
      return;
    }
    res.json(bridge.kits());
  });
};

'use strict';
const { stemlabError } = require('./lib/kit-link');
const { whenStarted } = require('./lib/on-start');

/**
 * stemlab-usage: say what the kits are used for, so the usage reports count this flow's robot
 * time as "lesson L3 of class 6A" instead of free practice. It tags when the flow is deployed
 * (unless switched off) and on every input message, whose msg.payload may override the node's
 * fields ({kind, lessonId, classId, clubSessionId}); the message is then passed on. Without a
 * kit it tags every kit of the gateway.
 */
const KINDS = ['lesson', 'experiment', 'club-session', 'class', 'free-practice'];
const FIELDS = ['lessonId', 'classId', 'clubSessionId'];

module.exports = function (RED) {
  function StemlabUsageNode(config) {
    RED.nodes.createNode(this, config);
    const bridge = RED.settings.stemlab;
    const kitNode = config.kit ? RED.nodes.getNode(config.kit) : null;
    const kits = kitNode ? [kitNode.kit] : undefined;

    const purposeOf = (override) => {
      const source = { ...config, ...(override && typeof override === 'object' ? override : {}) };
      if (!KINDS.includes(source.kind)) throw stemlabError('PAYLOAD_INVALID', RED._('stemlab-usage.errors.kind', { kinds: KINDS.join(', ') }));
      const purpose = { kind: source.kind, by: `node-red:${this.z || this.id}`.slice(0, 100) };
      for (const field of FIELDS) {
        const value = source[field];
        if (value !== undefined && value !== null && value !== '') purpose[field] = String(value).slice(0, 100);
      }
      return purpose;
    };

    const tag = (override) => {
      if (!bridge) throw stemlabError('NO_AGENT', RED._('stemlab-usage.status.no-agent'));
      // A kit node that is gone must not widen the tag to every kit.
      if (config.kit && !kitNode) throw stemlabError('NO_KIT', RED._('stemlab-usage.status.no-kit'));
      const purpose = purposeOf(override);
      bridge.tag(purpose, kits);
      const what = [purpose.lessonId, purpose.classId, purpose.clubSessionId].filter(Boolean).join(' · ');
      this.status({ fill: 'green', shape: 'dot', text: `${RED._(`stemlab-usage.kind.${purpose.kind}`)}${what ? ` ${what}` : ''}` });
    };

    this.status(bridge ? {} : { fill: 'red', shape: 'ring', text: RED._('stemlab-usage.status.no-agent') });
    if (config.onDeploy !== false) whenStarted(RED, this, () => tag());
    this.on('input', (msg, send, done) => {
      try {
        tag(msg.payload);
        send(msg);
        done();
      } catch (err) {
        done(err);
      }
    });
  }
  RED.nodes.registerType('stemlab-usage', StemlabUsageNode);
};

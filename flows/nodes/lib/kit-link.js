'use strict';
const { t, translated } = require('./i18n');

/**
 * What a palette node needs from its kit: the agent's bridge (RED.settings.stemlab, put there by
 * the agent that hosts Node-RED), the kit id of its stemlab-kit config node, a status badge that
 * follows the kit, and commands whose refusals become errors a Catch node can handle.
 *
 * Badges: green dot connected (with the node's own text), red ring disconnected (with the
 * agent's reason), yellow for a fault or while connecting, a stop sign on actuators while the
 * e-stop is latched. Every listener taken here is released when the node closes.
 */
function kitLink(RED, node, config, options = {}) {
  const bridge = RED.settings.stemlab;
  const kitNode = config.kit ? RED.nodes.getNode(config.kit) : null;
  const kit = kitNode ? kitNode.kit : undefined;
  const actuator = options.actuator === true;
  const unsubscribe = [];
  let text = '';

  function badge() {
    if (!bridge) return { fill: 'red', shape: 'ring', text: t('status.no-agent') };
    if (!kit) return { fill: 'red', shape: 'ring', text: t('status.no-kit') };
    if (actuator && bridge.estop.latched()) return { fill: 'red', shape: 'dot', text: `⛔ ${t('status.estop')}` };
    let state;
    try {
      state = bridge.kitState(kit);
    } catch {
      return { fill: 'red', shape: 'ring', text: t('status.unknown-kit', { kit }) };
    }
    const reason = shorten(state.reason);
    switch (state.state) {
      case 'connected':
        return { fill: 'green', shape: 'dot', text: text || t('status.connected', { kit }) };
      case 'disconnected':
        return { fill: 'red', shape: 'ring', text: t('status.disconnected', { kit, reason }) };
      case 'fault':
        return { fill: 'yellow', shape: 'dot', text: t('status.fault', { kit, reason }) };
      case 'connecting':
        return { fill: 'yellow', shape: 'ring', text: t('status.connecting', { kit }) };
      default:
        return { fill: 'grey', shape: 'ring', text: t('status.stopped', { kit }) };
    }
  }

  function render() {
    node.status(badge());
  }

  /** Listen on the bridge until the node closes. */
  function listen(subscribe, listener) {
    if (bridge) unsubscribe.push(subscribe.call(bridge, listener));
  }

  listen(bridge?.onKitState, (event) => {
    if (event.kit !== kit) return;
    render();
    options.onKitState?.(event);
  });
  if (actuator) listen(bridge?.onEstop, render);
  node.on('close', () => {
    for (const off of unsubscribe.splice(0)) off();
  });
  render();

  function check() {
    if (!bridge) throw stemlabError('NO_AGENT', t('status.no-agent'));
    if (!kit) throw stemlabError('NO_KIT', t('status.no-kit'));
  }

  return {
    bridge,
    kit,
    /** Show the node's own text beside a healthy kit's green dot ('' for the default). */
    show(ownText) {
      text = ownText ?? '';
      render();
    },
    /** Send a component a command through the agent; a refusal throws an error with its code. */
    /** Throws when the node cannot talk to a kit at all, saying what is missing. */
    check,
    command(component, command) {
      check();
      try {
        // The node's tab is its program: one program drives a kit at a time (the agent enforces it).
        return bridge.command(kit, component, command, node.z);
      } catch (err) {
        throw refusal(err, bridge, kit, component);
      }
    },
    value(component) {
      check();
      try {
        return bridge.value(kit, component);
      } catch (err) {
        throw refusal(err, bridge, kit, component);
      }
    },
    /** Call `listener(value)` with each reading of `component` until the node closes. */
    onReading(component, listener) {
      listen(bridge?.onReading, (event) => {
        if (event.kit === kit && event.component === component) listener(event.value);
      });
    },
  };
}

/**
 * The agent's refusal as the node's error: its stable code kept (msg.error.code in a Catch
 * node), its words in the runtime's language when the catalog knows the code, else the agent's.
 */
function refusal(err, bridge, kit, component) {
  const code = err && typeof err.code === 'string' ? err.code : undefined;
  let reason = '';
  if (code === 'KIT_NOT_CONNECTED') {
    try {
      reason = shorten(bridge.kitState(kit).reason);
    } catch {
      // the kit vanished from the agent: the code says enough
    }
  }
  const message = (code && translated(`errors.${code}`, { kit, component, reason, detail: err.message })) || String(err?.message ?? err);
  const error = stemlabError(code, message);
  if (code) error.detail = err.message;
  return error;
}

/** An Error that reads "CODE: message" in the debug sidebar and carries `code` to Catch nodes. */
function stemlabError(code, message) {
  const error = new Error(message);
  if (code) {
    error.name = code;
    error.code = code;
  }
  return error;
}

function shorten(reason) {
  if (!reason) return '';
  return reason.length > 60 ? `${reason.slice(0, 57)}...` : reason;
}

module.exports = { kitLink, stemlabError };

'use strict';
/**
 * Run a callback once the deployed flows have started, i.e. every node is built and wired, so
 * what a sensor node sends on start reaches the nodes after it. One 'flows:started' listener per
 * Node-RED runtime, not one per node: its event emitter warns past ten listeners, and a robot
 * flow easily has more sensor nodes than that.
 */
const pending = new WeakMap();

function whenStarted(RED, node, fn) {
  let callbacks = pending.get(RED.events);
  if (!callbacks) {
    const set = new Set();
    callbacks = set;
    pending.set(RED.events, set);
    RED.events.on('flows:started', () => {
      const due = [...set];
      set.clear();
      for (const run of due) run();
    });
  }
  const run = () => {
    try {
      fn();
    } catch (err) {
      node.error(err);
    }
  };
  callbacks.add(run);
  node.on('close', () => callbacks.delete(run));
}

module.exports = { whenStarted };

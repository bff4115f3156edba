'use strict';
const { kitLink } = require('./kit-link');
const { whenStarted } = require('./on-start');

/**
 * Threshold crossings of a value. `side` is where the watched state lies: 'above' the threshold
 * (a bright light, a hot room) or 'below' it (an obstacle nearer than 20 cm). Once on the watched
 * side, the value must come back past the threshold by more than `hysteresis` to leave it, so a
 * noisy reading near the threshold does not chatter. Returns the new state when it changed.
 */
function crossings(threshold, hysteresis, side) {
  const sign = side === 'below' ? -1 : 1;
  let state;
  return (value) => {
    const beyond = (value - threshold) * sign;
    const next = state ? beyond > -hysteresis : beyond > 0;
    if (next === state) return undefined;
    state = next;
    return next;
  };
}

/**
 * The behaviour the sensor nodes share. Output 1 sends every reading of the component
 * (msg.payload the value, msg.topic "kit/component"), and the current value once the flow has
 * started; an input message asks the agent for the latest value and sends it on. With a
 * threshold, output 2 sends true/false when the value crosses it (msg.event names the side).
 *
 * `convert(reading)` returns { payload, number?, status, ...more msg properties } or undefined to
 * send nothing; `number` is what the threshold watches.
 */
function sensorNode(RED, node, config, { convert, side, events = ['above', 'below'] }) {
  const link = kitLink(RED, node, config);
  const component = config.component;
  const topic = `${link.kit}/${component}`;
  const hasThreshold = side && config.threshold !== undefined && config.threshold !== '' && Number.isFinite(Number(config.threshold));
  const watch = hasThreshold ? crossings(Number(config.threshold), Math.max(0, Number(config.hysteresis) || 0), side) : undefined;

  function emit(reading, msg, send) {
    const out = convert(reading);
    if (!out) return;
    const { number, status, ...fields } = out;
    link.show(status);
    let crossing = null;
    if (watch && typeof number === 'number') {
      const state = watch(number);
      if (state !== undefined) crossing = { topic, payload: state, event: state ? events[0] : events[1], value: fields.payload };
    }
    send([Object.assign(msg ?? {}, { topic }, fields), crossing]);
  }

  link.onReading(component, (reading) => emit(reading, undefined, (msgs) => node.send(msgs)));
  whenStarted(RED, node, () => {
    if (!link.bridge || !link.kit) return;
    const reading = link.value(component);
    if (reading !== undefined && reading !== null) emit(reading, undefined, (msgs) => node.send(msgs));
  });
  node.on('input', (msg, send, done) => {
    try {
      const { value } = link.command(component, { action: 'read' });
      emit(value, msg, send);
      done();
    } catch (err) {
      done(err);
    }
  });
  return link;
}

module.exports = { crossings, sensorNode };

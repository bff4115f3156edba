'use strict';
/**
 * Motor motions that last. The agent stops a kit's motors when no fresh command arrives within
 * its dead-man window (safety.watchdogMs, 500 ms by default; the bridge tells it as
 * `watchdogMs`), so a lesson that crashes or is stopped never leaves a robot driving off the
 * table. A node that means a motion to go on ("forward until told otherwise") therefore re-sends
 * it every third of that window (resendMs: two re-sends fall inside it even when one is late),
 * never less often than every RESEND_MS, until it is stopped, replaced, refused (e-stop,
 * unplugged kit), the e-stop latches, or its node closes.
 *
 * Motions are held per bridge and per motor: the newest command to a motor, from any node of
 * any flow, replaces the motion that held it, so two nodes never take turns overriding each
 * other's commands at every re-send.
 */
const { translated } = require('./i18n');

// The slowest re-send. The agent's config refuses a dead-man window below twice this
// (edge-agent/src/config/checks.ts MOTION_RESEND_MS), so a third of any valid window is shorter.
const RESEND_MS = 200;
// The fastest: a window this short would flood the board's serial link (the config refuses it anyway).
const MIN_RESEND_MS = 20;
const holders = new WeakMap();

/** How often a motion is re-sent on `bridge`: a third of its agent's dead-man window, 20–200 ms. */
function resendMs(bridge) {
  const window = Number(bridge && bridge.watchdogMs);
  if (!Number.isFinite(window) || window <= 0) return RESEND_MS;
  return Math.max(MIN_RESEND_MS, Math.min(RESEND_MS, Math.floor(window / 3)));
}

/** The e-stop's end of a motion, as a refused command would have said it (code ESTOP_LATCHED for Catch nodes). */
function estopError(link, steps) {
  const component = steps[0] ? steps[0].component : '';
  const error = new Error(translated('errors.ESTOP_LATCHED', { kit: link.kit, component, reason: '', detail: '' }) || 'ESTOP_LATCHED: the emergency stop is latched');
  error.name = 'ESTOP_LATCHED';
  error.code = 'ESTOP_LATCHED';
  return error;
}

function held(bridge) {
  let map = holders.get(bridge);
  if (!map) holders.set(bridge, (map = new Map()));
  return map;
}

/** A motor command as the agent takes it, from a signed speed (negative is reverse, 0 stops). */
function motorCommand(signed) {
  // Not a number: let the agent refuse it, in its own words.
  if (typeof signed !== 'number' || !Number.isFinite(signed)) return { action: 'forward', speed: signed };
  const speed = Math.round(Math.abs(signed));
  return speed === 0 ? { action: 'stop' } : { action: signed > 0 ? 'forward' : 'reverse', speed };
}

/**
 * Send `steps` ([{component, command}]) now; keep re-sending them while any moves; after `ms`
 * (if given) stop the motors and end with 'done'. `onEnd(reason, error)` hears how it ended:
 * 'done', 'replaced' (a newer command took a motor), 'failed' (a command was refused; the motors
 * are the agent's to stop) or 'closed'. Throws when the first send is refused. Returns the
 * motion, or undefined when there is nothing to hold (an untimed stop).
 */
function startMotion(link, steps, { ms = 0, onEnd = () => {} } = {}) {
  const map = held(link.bridge);
  const key = (component) => `${link.kit}/${component}`;
  const keys = steps.map((step) => key(step.component));
  for (const k of keys) map.get(k)?.end('replaced', undefined, keys);

  const send = (list) => {
    for (const step of list) link.command(step.component, step.command);
  };
  // A refusal here throws to the node; a motor that took its command before it is stopped by
  // the agent's watchdog, since nothing re-sends it.
  send(steps);
  const moving = steps.some((step) => step.command.action !== 'stop');
  if (!moving && !(ms > 0)) return undefined;

  let resend;
  let timer;
  let offEstop;
  let ended = false;
  const motion = {
    /** End the motion; `taken` are the motors a newer motion now drives, the others stop. */
    end(reason, error, taken = []) {
      if (ended) return;
      ended = true;
      clearInterval(resend);
      clearTimeout(timer);
      if (offEstop) offEstop();
      for (const k of keys) if (map.get(k) === motion) map.delete(k);
      if (moving && reason !== 'failed') {
        const stops = steps.filter((step) => !taken.includes(key(step.component))).map((step) => ({ component: step.component, command: { action: 'stop' } }));
        try {
          send(stops);
        } catch (err) {
          // Closing or replaced: the watchdog stops what a refused stop could not.
          if (reason === 'done') return onEnd('failed', err);
        }
      }
      onEnd(reason, error);
    },
  };
  if (moving) {
    for (const k of keys) map.set(k, motion);
    // The e-stop ends the motion at once (the agent has stopped the motors): waiting for a
    // re-send to be refused let a reset that came sooner than the next re-send (a teacher
    // pressing reset right after the stop) bring the motion back, the robot driving off again.
    const bridge = link.bridge;
    if (bridge && typeof bridge.onEstop === 'function') {
      offEstop = bridge.onEstop((event) => {
        if (event.latched) motion.end('failed', estopError(link, steps));
      });
    }
    resend = setInterval(() => {
      try {
        send(steps);
      } catch (err) {
        motion.end('failed', err);
      }
    }, resendMs(link.bridge));
  }
  if (ms > 0) timer = setTimeout(() => motion.end('done'), ms);
  return motion;
}

/**
 * The input handling both motor nodes share: one motion per node at a time. An untimed motion
 * ends the message at once (done); a timed one sends the message on when it has finished and the
 * motors stopped. A refusal while re-sending reaches Catch nodes with the message that started it.
 */
function motionNode(node, link, parse, describe) {
  let current;
  node.on('input', (msg, send, done) => {
    let plan;
    try {
      link.check();
      plan = parse(msg);
    } catch (err) {
      done(err);
      return;
    }
    current?.end('replaced', undefined, plan.steps.map((step) => `${link.kit}/${step.component}`));
    const timed = plan.ms > 0;
    let motion;
    try {
      motion = startMotion(link, plan.steps, {
        ms: plan.ms,
        onEnd(reason, error) {
          if (current === motion) current = undefined;
          link.show('');
          if (!timed) {
            if (reason === 'failed') node.error(error, msg);
            return;
          }
          if (reason === 'done') send(msg);
          done(reason === 'failed' ? error : undefined);
        },
      });
    } catch (err) {
      link.show('');
      done(err);
      return;
    }
    current = motion;
    link.show(describe(plan));
    if (!timed) done();
  });
  node.on('close', () => current?.end('closed'));
}

module.exports = { RESEND_MS, resendMs, motorCommand, startMotion, motionNode };

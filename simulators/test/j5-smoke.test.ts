import { describe, it, expect } from 'vitest';
import five from 'johnny-five';
import { BoardSimulator } from '../src/index.ts';
import { openBoard } from './helpers/johnny-five.ts';

describe('smoke', () => {
  it('reaches ready and lights an LED', async () => {
    const sim = new BoardSimulator();
    const port = sim.add({ name: 'uno-1', board: 'uno' });
    const j5 = await openBoard(port.path, sim.binding);
    const led = new five.Led({ pin: 13, board: j5.board });
    led.on();
    await new Promise((r) => port.board.once('pin', r));
    expect(port.board.pinState(13).value).toBe(1);
    await j5.close();
    sim.close();
  });
});

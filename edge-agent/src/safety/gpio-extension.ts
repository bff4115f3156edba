import type { Extension, ExtensionContext } from '../core/extension.ts';
import type { GpioChip, GpioLine } from '../gpio/types.ts';
import type { EmergencyStop } from './estop.ts';

/**
 * The Pi's own lines: the e-stop button, buttons (reported like a kit's button, under the
 * pseudo-kit `gpio`), and LEDs. An LED with id `status` is the agent's: lit while every kit is
 * connected, blinking while the e-stop is latched, off otherwise.
 */
export class GpioExtension implements Extension {
  readonly name = 'gpio';
  private readonly lines: GpioLine[] = [];
  private readonly unsubscribe: Array<() => void> = [];
  private blinkTimer: NodeJS.Timeout | undefined;
  private readonly leds = new Map<string, GpioLine>();

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly chip: GpioChip,
    private readonly estop: EmergencyStop,
    private readonly allKitsConnected: () => boolean,
  ) {}

  async start(): Promise<void> {
    const { gpio } = this.ctx.config;
    const log = this.ctx.log.child({ module: 'gpio' });
    log.info(`GPIO: ${this.chip.description}`);
    if (gpio.estop) {
      const line = this.open(gpio.estop.bcm, { direction: 'in', edge: 'both', activeLow: gpio.estop.activeLow, debounceMs: gpio.estop.debounceMs });
      this.unsubscribe.push(line.watch((value) => value === 1 && this.estop.trigger(`e-stop button (GPIO${gpio.estop!.bcm})`)));
      // Held down at start: the room starts stopped.
      if (line.read() === 1) this.estop.trigger(`e-stop button (GPIO${gpio.estop.bcm}) held at start`);
    }
    for (const button of gpio.buttons) {
      const line = this.open(button.bcm, { direction: 'in', edge: 'both', activeLow: button.activeLow, debounceMs: button.debounceMs });
      this.unsubscribe.push(
        line.watch((value) =>
          this.ctx.bus.emit('component:reading', { kit: 'gpio', component: button.id, type: 'button', value: { pressed: value === 1, held: false }, at: Date.now() }),
        ),
      );
    }
    for (const led of gpio.leds) this.leds.set(led.id, this.open(led.bcm, { direction: 'out', activeLow: led.activeLow }));
    if (this.leds.has('status')) {
      const update = () => this.showStatus();
      this.unsubscribe.push(this.ctx.bus.on('kit:state', update), this.ctx.bus.on('estop', update));
      update();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.blinkTimer);
    this.blinkTimer = undefined;
    for (const off of this.unsubscribe.splice(0)) off();
    for (const led of this.leds.values()) led.write(0);
    this.leds.clear();
    for (const line of this.lines.splice(0)) line.close();
  }

  /** Switch a GPIO LED by its config id (the pseudo-kit `gpio`). */
  setLed(id: string, on: boolean): void {
    const line = this.leds.get(id);
    if (!line) throw new Error(`no GPIO LED '${id}'`);
    line.write(on ? 1 : 0);
  }

  private showStatus(): void {
    const line = this.leds.get('status');
    if (!line) return;
    clearInterval(this.blinkTimer);
    this.blinkTimer = undefined;
    if (this.estop.latched) {
      let on = 0 as 0 | 1;
      this.blinkTimer = setInterval(() => line.write((on = on ? 0 : 1)), 250);
    } else {
      line.write(this.allKitsConnected() ? 1 : 0);
    }
  }

  private open(bcm: number, options: Parameters<GpioChip['open']>[1]): GpioLine {
    const line = this.chip.open(bcm, options);
    this.lines.push(line);
    return line;
  }
}

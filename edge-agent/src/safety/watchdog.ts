/**
 * A dead-man timer: armed by every command that moves something, it fires when no fresh command
 * arrives within the window. One timer object per kit, re-armed with refresh(), so a lesson
 * sending commands at 50 Hz costs no allocation.
 */
export class DeadManWatchdog {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly onExpire: () => void,
  ) {}

  kick(): void {
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(() => this.expire(), this.windowMs);
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  get armed(): boolean {
    return this.timer !== undefined;
  }

  private expire(): void {
    this.timer = undefined;
    this.onExpire();
  }
}

import { MockPortBinding, type MockPortInternal } from '@serialport/binding-mock';
import type { BindingInterface, OpenOptions, PortInfo } from '@serialport/bindings-interface';
import { SimulatedBoard, type SimulatedBoardOptions } from '../firmata/device.ts';
import { WireLine } from './wire.ts';

export interface SimulatedPortOptions extends SimulatedBoardOptions {
  /** The kit's name; its port path is `sim:NAME`. */
  name: string;
  /** The USB serial number `list()` shows; unique per simulator by default. */
  serialNumber?: string;
  /** Hold the link to a real baud rate: `true` means StandardFirmata's 57,600. */
  wireRate?: boolean | number;
}

const FIRMATA_BAUD = 57_600;

/** What a disconnected USB device makes a pending read fail with; serialport closes the port on it. */
class DisconnectedError extends Error {
  readonly disconnected = true;
  constructor(path: string) {
    super(`${path}: device disconnected`);
  }
}

/**
 * One simulated board on one simulated USB port. Unplugging it fails the host's pending read
 * the way a vanished /dev/ttyACM0 does, so serialport closes with a disconnect error.
 */
export class SimulatedPort {
  readonly path: string;
  readonly board: SimulatedBoard;
  readonly info: PortInfo;
  private readonly baudRate: number | undefined;
  private open: SimPortBinding | undefined;
  private plugged = true;

  constructor(options: SimulatedPortOptions, serialNumber: string) {
    this.path = `sim:${options.name}`;
    this.board = new SimulatedBoard(options);
    const usb = this.board.profile.usb;
    this.info = {
      path: this.path,
      manufacturer: usb.manufacturer,
      serialNumber: options.serialNumber ?? serialNumber,
      pnpId: undefined,
      locationId: undefined,
      vendorId: usb.vendorId,
      productId: usb.productId,
    };
    this.baudRate = options.wireRate === true ? FIRMATA_BAUD : options.wireRate || undefined;
  }

  get isPlugged(): boolean {
    return this.plugged;
  }

  get isOpen(): boolean {
    return this.open !== undefined;
  }

  /** Pull the USB cable: the board loses power and the host's port fails. */
  unplug(): void {
    this.plugged = false;
    this.board.powerOff();
    this.open?.disconnect();
    this.open = undefined;
  }

  /** Plug it back in; the host has to open the port again, as with a real board. */
  plug(): void {
    this.plugged = true;
  }

  /** Called by the binding when the host opens the port. */
  attach(openOptions: Required<OpenOptions>): SimPortBinding {
    if (!this.plugged) throw new Error(`Error: No such file or directory, cannot open ${this.path}`);
    if (this.open) throw new Error(`Error Resource temporarily unavailable Cannot lock port (${this.path} is already open)`);
    const internal: MockPortInternal = {
      data: Buffer.alloc(0),
      echo: false,
      record: false,
      info: this.info,
      maxReadSize: 1024,
      openOpt: openOptions,
    };
    const toBoard = new WireLine((bytes) => this.board.receive(bytes), this.baudRate);
    const binding = new SimPortBinding(internal, openOptions, toBoard, () => this.detach(binding));
    const toHost = new WireLine((bytes) => {
      if (binding.isOpen) binding.emitData(bytes);
    }, this.baudRate);
    binding.onClose(() => toHost.cut());
    this.open = binding;
    this.board.connect({ send: (bytes) => toHost.send(bytes), backlog: () => toHost.backlog() });
    return binding;
  }

  private detach(binding: SimPortBinding): void {
    if (this.open !== binding) return;
    this.open = undefined;
    this.board.disconnect();
  }
}

/** serialport's mock port binding, wired to a simulated board instead of an echo. */
class SimPortBinding extends MockPortBinding {
  private unplugged: DisconnectedError | undefined;
  private readonly closeListeners: Array<() => void> = [];

  constructor(
    internal: MockPortInternal,
    openOptions: Required<OpenOptions>,
    private readonly toBoard: WireLine,
    private readonly onDetach: () => void,
  ) {
    super(internal, openOptions);
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  override async write(buffer: Buffer): Promise<void> {
    if (this.unplugged) throw this.unplugged;
    await super.write(buffer);
    this.toBoard.send(Buffer.from(buffer));
  }

  override async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (this.unplugged) throw this.unplugged;
    return super.read(buffer, offset, length);
  }

  override async close(): Promise<void> {
    // Bytes already written still reach the board, as a tty drains its output on close.
    for (const listener of this.closeListeners) listener();
    this.onDetach();
    await super.close();
  }

  /** The device vanished: fail the pending read with a disconnect, as the OS does. */
  disconnect(): void {
    this.unplugged = new DisconnectedError(this.port.info.path);
    this.toBoard.cut();
    for (const listener of this.closeListeners) listener();
    // binding-mock keeps the pending read private; rejecting it is how a real binding reports the loss.
    const pending = (this as unknown as { pendingRead: ((err?: Error) => void) | null }).pendingRead;
    if (pending) {
      (this as unknown as { pendingRead: null }).pendingRead = null;
      pending(this.unplugged);
    }
  }
}

/**
 * Several simulated boards, each on its own port, behind one serialport binding. Nothing is
 * global: two simulators in one process (two agents in one test) never see each other's boards.
 */
export class BoardSimulator {
  private readonly ports = new Map<string, SimulatedPort>();
  private nextSerial = 1;

  /** Pass this as `binding` to serialport's `SerialPort` (or to the agent) to reach the boards. */
  readonly binding: BindingInterface = {
    list: async () => [...this.ports.values()].filter((p) => p.isPlugged).map((p) => ({ ...p.info })),
    open: async (options: OpenOptions) => {
      await new Promise((resolve) => process.nextTick(resolve));
      const port = this.ports.get(options.path);
      if (!port) throw new Error(`Error: No such file or directory, cannot open ${options.path}`);
      return port.attach(withDefaults(options));
    },
  };

  add(options: SimulatedPortOptions): SimulatedPort {
    const path = `sim:${options.name}`;
    if (this.ports.has(path)) throw new Error(`a simulated board named '${options.name}' already exists`);
    const serial = `SIM${String(this.nextSerial++).padStart(8, '0')}`;
    const port = new SimulatedPort(options, serial);
    this.ports.set(path, port);
    return port;
  }

  /** The port of a board by name (`uno-1`) or path (`sim:uno-1`). */
  port(name: string): SimulatedPort {
    const port = this.ports.get(name.startsWith('sim:') ? name : `sim:${name}`);
    if (!port) throw new Error(`no simulated board named '${name}'`);
    return port;
  }

  board(name: string): SimulatedBoard {
    return this.port(name).board;
  }

  list(): SimulatedPort[] {
    return [...this.ports.values()];
  }

  /** Power every board off and release their timers. */
  close(): void {
    for (const port of this.ports.values()) port.unplug();
  }
}

function withDefaults(options: OpenOptions): Required<OpenOptions> {
  return {
    dataBits: 8,
    lock: true,
    stopBits: 1,
    parity: 'none',
    rtscts: false,
    xon: false,
    xoff: false,
    xany: false,
    hupcl: true,
    ...options,
  } as Required<OpenOptions>;
}

/**
 * Records what the real StandardFirmata firmware sends (the avrgirl-arduino@5.0.1 hex files on
 * simavr, see simulators/simavr/README.md) into simulators/test/fixtures/firmata/*.txt: the boot
 * announcement after a reset, the CAPABILITY_RESPONSE and the ANALOG_MAPPING_RESPONSE. The
 * simulated board is checked byte for byte against these files (test/firmata-protocol.test.ts),
 * so a clone needs no simavr to run that test.
 *
 *   bash simulators/simavr/build.sh
 *   npx tsx simulators/scripts/record-firmata-reference.ts [uno|mega ...]   # default: both
 *
 * A capture ends when the firmware has said what the query asks for (the announcement's or the
 * sysex reply's last byte, 0xf7) and then stays silent for QUIET_MS.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { once } from 'node:events';
import { SerialPort } from 'serialport';
import { SimavrBoard, type SimavrBoardName } from '../src/simavr/bridge.ts';

const OUT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test/fixtures/firmata');
const QUIET_MS = 300;
const TIMEOUT_MS = 20_000;

const BOARDS: Record<SimavrBoardName, { version: string; mcu: string }> = {
  uno: { version: '2.4', mcu: 'atmega328p' },
  mega: { version: '2.3', mcu: 'atmega2560' },
};

export function referenceFileName(board: SimavrBoardName): string {
  return `standardfirmata-${board}-${BOARDS[board].version}.txt`;
}

/** Bytes as the fixture files hold them: 16 hex bytes a line. */
function hexLines(bytes: number[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    lines.push(bytes.slice(i, i + 16).map((b) => b.toString(16).padStart(2, '0')).join(' '));
  }
  return lines;
}

/** Waits until the received bytes end with 0xf7 (a sysex end) and nothing more came for QUIET_MS. */
function settle(rx: number[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let seen = -1;
    let since = Date.now();
    const timer = setInterval(() => {
      if (rx.length !== seen) {
        seen = rx.length;
        since = Date.now();
      } else if (rx.length > 0 && rx[rx.length - 1] === 0xf7 && Date.now() - since >= QUIET_MS) {
        clearInterval(timer);
        resolve();
      }
      if (Date.now() - started > TIMEOUT_MS) {
        clearInterval(timer);
        reject(new Error(`timed out after ${TIMEOUT_MS} ms waiting for ${what} (${rx.length} bytes so far)`));
      }
    }, 10);
  });
}

async function record(board: SimavrBoardName): Promise<string> {
  const sim = new SimavrBoard({ board });
  const ptyPath = await sim.start();
  const port = new SerialPort({ path: ptyPath, baudRate: 57600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  const rx: number[] = [];
  port.on('data', (d: Buffer) => rx.push(...d));
  const take = (): number[] => rx.splice(0);
  try {
    // a pty has no DTR: opening it resets nothing, so reset the chip by hand
    const acked = once(sim, 'reset');
    sim.reset();
    await acked;
    take();
    await settle(rx, 'the boot announcement');
    const reset = take();
    port.write(Buffer.from([0xf0, 0x6b, 0xf7]));
    await settle(rx, 'CAPABILITY_RESPONSE');
    const capability = take();
    port.write(Buffer.from([0xf0, 0x69, 0xf7]));
    await settle(rx, 'ANALOG_MAPPING_RESPONSE');
    const analog = take();
    return render(board, reset, capability, analog);
  } finally {
    await new Promise<void>((resolve) => port.close(() => resolve()));
    await sim.stop();
  }
}

function render(board: SimavrBoardName, reset: number[], capability: number[], analog: number[]): string {
  const { version, mcu } = BOARDS[board];
  // pins in the capability response: each pin's list of (mode, resolution) pairs ends with 0x7f
  const pins = capability.slice(2, -1).filter((b) => b === 0x7f).length;
  const mapping = analog
    .slice(2, -1)
    .map((channel, pin) => (channel === 0x7f ? '' : `D${pin}=A${channel}`))
    .filter(Boolean)
    .join(' ');
  return [
    `# What the real StandardFirmata firmware (version ${version}) sends: the ${board} hex shipped in the`,
    `# avrgirl-arduino@5.0.1 npm package (package/junk/hex/${board}/StandardFirmata.cpp.hex), running on`,
    `# simavr (${mcu}, 16 MHz) with UART0 at 57600 baud. A reference for the simulated board.`,
    `# Recorded by simulators/scripts/record-firmata-reference.ts (see simulators/README.md).`,
    '',
    `## bytes sent after reset (${reset.length} bytes)`,
    ...hexLines(reset),
    '',
    `## CAPABILITY_QUERY f0 6b f7 -> CAPABILITY_RESPONSE (${capability.length} bytes)`,
    ...hexLines(capability),
    `# pins in capability response: ${pins}`,
    '',
    `## ANALOG_MAPPING_QUERY f0 69 f7 -> ANALOG_MAPPING_RESPONSE (${analog.length} bytes)`,
    ...hexLines(analog),
    `# analog mapping: ${mapping}`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const boards = (asked.length ? asked : Object.keys(BOARDS)) as SimavrBoardName[];
  for (const board of boards) {
    if (!(board in BOARDS)) throw new Error(`unknown board "${board}": uno or mega`);
  }
  const availability = SimavrBoard.available();
  if (!availability.ok) throw new Error(`simavr is unavailable: ${availability.reason}`);
  for (const board of boards) {
    const file = path.join(OUT_DIR, referenceFileName(board));
    writeFileSync(file, await record(board));
    console.log(`recorded ${path.relative(process.cwd(), file)}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}

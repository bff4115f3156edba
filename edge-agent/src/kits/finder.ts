import type { PortInfo } from '@serialport/bindings-interface';
import type { KitFinder } from '../config/schema.ts';

export interface FoundPort {
  path: string;
  /** How it was found, for logs and `stemlab agent doctor`. */
  via: 'sim' | 'serialNumber' | 'usb id' | 'path';
}

/**
 * Which port a kit is on: by serial number first (it follows the kit to any USB socket), then by
 * USB vendor/product id, then by the configured path. A path is tried even when `list()` does not
 * show it: pseudo-terminals (a simulated board, simavr) are never listed.
 */
export function findPort(find: KitFinder, ports: readonly PortInfo[]): FoundPort | undefined {
  if (find.sim !== undefined) {
    const path = `sim:${find.sim}`;
    return ports.some((p) => p.path === path) ? { path, via: 'sim' } : undefined;
  }
  if (find.serialNumber !== undefined) {
    const wanted = find.serialNumber.toLowerCase();
    const port = ports.find((p) => p.serialNumber?.toLowerCase() === wanted);
    if (port) return { path: port.path, via: 'serialNumber' };
  }
  if (find.vendorId !== undefined && find.productId !== undefined) {
    const port = ports.find((p) => p.vendorId?.toLowerCase() === find.vendorId && p.productId?.toLowerCase() === find.productId);
    if (port) return { path: port.path, via: 'usb id' };
  }
  if (find.path !== undefined) return { path: find.path, via: 'path' };
  return undefined;
}

/** The finder as people read it: "serial number 8573…", "sim board robot-1". */
export function describeFinder(find: KitFinder): string {
  const parts: string[] = [];
  if (find.sim !== undefined) parts.push(`simulated board '${find.sim}'`);
  if (find.serialNumber !== undefined) parts.push(`serial number ${find.serialNumber}`);
  if (find.vendorId !== undefined) parts.push(`USB id ${find.vendorId}:${find.productId}`);
  if (find.path !== undefined) parts.push(`port ${find.path}`);
  return parts.join(', or ');
}

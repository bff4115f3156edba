/**
 * Tests that need something a fresh machine may lack (socat, simavr, Chromium, PostgreSQL,
 * Redis, Mosquitto) skip with a message that says how to enable them. CI sets
 * STEMLAB_REQUIRE_SERVICES=1, under which a missing requirement fails the run instead: CI must
 * run every test.
 */
export interface Requirement {
  ok: boolean;
  /** What is missing and how to get it, e.g. "socat is not installed: apt-get install socat". */
  reason?: string;
}

export const servicesRequired = process.env.STEMLAB_REQUIRE_SERVICES === '1';

/**
 * Whether the tests of `what` should run. When they should not, says why once; when CI requires
 * them, returns true so that the tests run and fail on the missing piece with its reason.
 */
export function shouldRun(what: string, requirement: Requirement): boolean {
  if (requirement.ok) return true;
  if (servicesRequired) return true;
  console.warn(`[skipped] ${what}: ${requirement.reason ?? 'unavailable'} (set STEMLAB_REQUIRE_SERVICES=1 to make this an error)`);
  return false;
}

/** Call first in a test that needs the requirement: fails with the reason under CI. */
export function assertAvailable(what: string, requirement: Requirement): void {
  if (!requirement.ok) throw new Error(`${what} required (STEMLAB_REQUIRE_SERVICES=1) but unavailable: ${requirement.reason ?? ''}`);
}

/** The report equals the fleet simulator's truth, on PostgreSQL (e2e/helpers/fleet-truth.ts says how). */
import { describe, it } from 'vitest';
import { BACKENDS } from '../broker/test/backends.ts';
import { fleetTruthTest } from './helpers/fleet-truth.ts';

describe('a seeded quarter of the full fleet, reported on PostgreSQL', () => {
  it.runIf(BACKENDS.find((b) => b.backend === 'postgres')?.run ?? false)("equals the simulator's truth, figure by figure, with a gateway offline for days that replayed its outbox", () => fleetTruthTest('postgres'), 180_000);
});

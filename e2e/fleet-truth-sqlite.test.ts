/** The report equals the fleet simulator's truth, on SQLite (e2e/helpers/fleet-truth.ts says how). */
import { describe, it } from 'vitest';
import { fleetTruthTest } from './helpers/fleet-truth.ts';

describe('a seeded quarter of the full fleet, reported on SQLite', () => {
  it("equals the simulator's truth, figure by figure, with a gateway offline for days that replayed its outbox", () => fleetTruthTest('sqlite'), 180_000);
});

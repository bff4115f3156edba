/** The fleet simulator: a quarter of many gateways' school life, planned from a seed, played on a simulated clock, with its truth. */
export { closedReason, quarterSpan } from './calendar.ts';
export type { Category, Device, FleetPlan, GatewayPlan, GatewaySpec, Happening, KitSpec, Purpose, TrueSession } from './model.ts';
export { gatewaySpec, IDLE_MS, planFleet, type GatewayRef, type PlanOptions } from './plan.ts';
export { Random } from './random.ts';
export { runFleet, SimClock, type FleetTwin, type RunOptions, type RunResult } from './runner.ts';
export { fleetTruth, type ComponentTruth, type FleetTruth, type GatewayTruth, type KitTruth } from './truth.ts';
export { trendTruth, trueWeeks, type TrendTruth } from './trend-truth.ts';

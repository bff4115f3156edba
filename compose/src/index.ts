export { composeGateway, type ComposedGateway } from './gateway.ts';
export { addSimulatedKits, simulatedHardware, type SimulatedHardware } from './simulated.ts';
export { simulatedRobots, type SimulatedRobots, type SimulatedRobotsOptions } from './robots.ts';

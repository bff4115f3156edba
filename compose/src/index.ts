export { composeGateway, type ComposedGateway, type ComposeOptions } from './gateway.ts';
export { simulateLab, type SimulatedLab, type SimulatedLabOptions } from './lab.ts';
export { addSimulatedKits, simulatedHardware, type SimulatedHardware } from './simulated.ts';
export { simulatedRobots, type SimulatedRobots, type SimulatedRobotsOptions } from './robots.ts';

export { composeGateway, type ComposedGateway } from './gateway.ts';
export { addSimulatedKits, simulatedHardware, type SimulatedHardware } from './simulated.ts';

import type { BenchSuite } from './types.ts';

/** Every benchmark of the product; each package contributes its own from its bench/ folder. */
export async function loadSuites(): Promise<BenchSuite[]> {
  const { emulatorSuite } = await import('../simulators/bench/emulator.ts');
  const { robotSuite } = await import('../simulators/bench/robot.ts');
  const { agentSuite } = await import('../edge-agent/bench/agent.ts');
  const { labSuite } = await import('../edge-agent/bench/lab.ts');
  const { pipelineSuite } = await import('./pipeline.ts');
  const { gatewaySuite } = await import('./gateway.ts');
  const { brokerSuite } = await import('../broker/bench/broker.ts');
  const { clusterSuite } = await import('../broker/bench/cluster.ts');
  const { reportSuite } = await import('../broker/bench/report.ts');
  const { loginFloodSuite } = await import('../broker/bench/login-flood.ts');
  const { fleetSuite } = await import('./fleet.ts');
  const { checksSuite } = await import('../robot-curriculum/bench/checks.ts');
  const { dashboardSuite } = await import('../broker/bench/dashboard.ts');
  return [emulatorSuite, robotSuite, agentSuite, labSuite, pipelineSuite, gatewaySuite, brokerSuite, clusterSuite, reportSuite, loginFloodSuite, fleetSuite, checksSuite, dashboardSuite];
}

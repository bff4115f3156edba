import { join } from 'node:path';
import { z } from 'zod';
import { idSchema } from '@stemlab/protocol';
import { loadCentralConfig, parseCentralConfig, provisionGatewayCommand } from '@stemlab/broker';
import type { Command } from '../main.ts';
import { parseCommand } from '../args.ts';

const help = `Usage: stemlab provision gateway --unit U --gateway G [--config central.yaml | --data-dir DIR]

Creates a gateway's broker credentials, or rotates them (the old secret stops working at the
gateway's next connection), and prints the secret once: only a slow hash is stored. Put the
username and password in the gateway's agent config (mqtt.username, mqtt.password).`;

const Options = z.object({ unit: idSchema('unit id', 'thcs-q1-01'), gateway: idSchema('gateway id', 'robot-club-1'), config: z.string().optional(), 'data-dir': z.string().min(1).optional() });

export const provisionGateway: Command = {
  summary: "create or rotate a gateway's broker credentials",
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(help);
      return 0;
    }
    const flags = { unit: { type: 'string' }, gateway: { type: 'string' }, config: { type: 'string' }, 'data-dir': { type: 'string' } } as const;
    const { values } = parseCommand('provision gateway', argv, flags, Options);
    const config = values.config ? await loadCentralConfig(values.config) : parseCentralConfig({});
    const dataDir = values['data-dir'] ?? config.dataDir;
    const { username, password, rotated } = await provisionGatewayCommand(dataDir, values.unit, values.gateway, config.ledger);
    const where = config.ledger?.kind === 'postgres' ? `PostgreSQL schema ${config.ledger.schema ?? 'stemlab'}` : join(dataDir, 'ledger.sqlite');
    console.log(`${rotated ? 'rotated' : 'created'} credentials for ${values.unit}/${values.gateway} (${where})`);
    console.log(`  mqtt.username: ${username}`);
    console.log(`  mqtt.password: ${password}`);
    console.log('The password is shown only now; store it in the gateway config.');
    return 0;
  },
};

import { z } from 'zod';
import { pino } from 'pino';
import { CentralConfigError, loadCentralConfig, parseCentralConfig, startCentral } from '@stemlab/broker';
import type { Command } from '../main.ts';
import { numberFlag, parseCommand, untilStopped, UsageError } from '../args.ts';

const help = `Usage: stemlab central [--config FILE] [--port N] [--data-dir DIR]

The department's side: the MQTT broker the gateways publish to, and the usage ledger behind it
(SQLite in DATA_DIR/ledger.sqlite). Every field of the config is optional (example:
broker/examples/central.yaml). Stops on Ctrl-C or SIGTERM.

  --config     central.yaml (YAML or JSON)
  --port       the MQTT port instead of config mqtt.port (0: any free port)
  --data-dir   where the ledger lives instead of config dataDir`;

const Options = z.object({
  config: z.string().optional(),
  port: numberFlag('a port number').pipe(z.number().int().max(65_535)).optional(),
  'data-dir': z.string().min(1).optional(),
});

export const central: Command = {
  summary: 'the MQTT broker and the usage ledger',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(help);
      return 0;
    }
    const { values } = parseCommand('central', argv, { config: { type: 'string' }, port: { type: 'string' }, 'data-dir': { type: 'string' } }, Options);
    let config;
    try {
      config = values.config ? await loadCentralConfig(values.config) : parseCentralConfig({});
    } catch (err) {
      if (err instanceof CentralConfigError) throw new UsageError(err.message);
      throw err;
    }
    const log = pino({ level: config.log.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
    const running = await startCentral({
      dataDir: values['data-dir'] ?? config.dataDir,
      mqtt: { host: config.mqtt.host, port: values.port ?? config.mqtt.port },
      ...(config.security ? { security: config.security } : {}),
      ...(config.http ? { http: { host: config.http.host, port: config.http.port }, sessionHours: config.http.sessionHours } : {}),
      ...(config.ledger ? { ledger: config.ledger } : {}),
      log,
    });
    console.log(`central: MQTT ${running.mqttUrl}; ${running.httpUrl ? `HTTP API ${running.httpUrl}; ` : ''}ledger in ${values['data-dir'] ?? config.dataDir}`);
    const why = await untilStopped(undefined);
    log.info({ why }, 'stopping');
    await running.stop();
    return 0;
  },
};

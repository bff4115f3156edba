import { z } from 'zod';
import { pino } from 'pino';
import { CentralConfigError, loadCentralConfig, parseCentralConfig, startCentral, type CentralConfig } from '@stemlab/broker';
import type { Command } from '../main.ts';
import { numberFlag, parseCommand, untilStopped, UsageError } from '../args.ts';

const help = `Usage: stemlab central [--config FILE] [--port N] [--data-dir DIR]

The department's side: the MQTT broker the gateways publish to, and the usage ledger behind it
(SQLite in DATA_DIR/ledger.sqlite). Every field of the config is optional (examples:
broker/examples/central.yaml, central-cluster.yaml; reference: docs/central-config.md). Prints
the URL of every listener (mqtt, and mqtts, ws or wss when configured). Stops on Ctrl-C or SIGTERM.

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
    const dataDir = values['data-dir'] ?? config.dataDir;
    let running;
    try {
      running = await startCentral({
        dataDir,
        mqtt: { host: config.mqtt.host, port: values.port ?? config.mqtt.port },
        ...(config.security ? { security: config.security } : {}),
        ...(config.http ? { http: httpOptions(config.http), sessionHours: config.http.sessionHours } : {}),
        ...(config.tls ? { tls: config.tls } : {}),
        ...(config.websocket ? { websocket: config.websocket } : {}),
        ...(config.state ? { state: config.state } : {}),
        ...(config.cluster ? { cluster: config.cluster } : {}),
        ...(config.ledger ? { ledger: config.ledger } : {}),
        reports: config.reports,
        retention: config.retention,
        log,
      });
    } catch (err) {
      // Certificate files, the broker state's directory or Redis: named by their field.
      if (err instanceof CentralConfigError) throw new UsageError(err.message);
      throw err;
    }
    const names = { mqtt: 'MQTT', mqtts: 'MQTT over TLS', ws: 'MQTT over WebSocket', wss: 'MQTT over secure WebSocket' } as const;
    for (const listener of running.listeners) console.log(`central: ${names[listener.scheme]} ${listener.url}`);
    if (running.httpUrl) console.log(`central: HTTP API ${running.httpUrl}`);
    console.log(`central: ledger ${running.ledger.where}; broker state in ${running.brokerState}${config.cluster ? `; cluster node ${running.broker.id}` : ''}`);
    const why = await untilStopped(undefined);
    log.info({ why }, 'stopping');
    await running.stop();
    return 0;
  },
};

/** central.yaml's http section as startCentral takes it (minutes to ms for the log-in limit). */
function httpOptions(http: NonNullable<CentralConfig['http']>) {
  const windowMs = http.loginAttempts.windowMinutes * 60_000;
  return {
    host: http.host,
    port: http.port,
    trustProxy: http.trustProxy,
    tls: http.tls,
    silentAfterDays: http.silentAfterDays,
    loginLimit: { perUser: { max: http.loginAttempts.perUser, windowMs }, perAddress: { max: http.loginAttempts.perAddress, windowMs } },
  };
}

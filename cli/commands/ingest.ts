import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { z } from 'zod';
import { Ingest, IngestClient, IngestConfigError, ingestPassword, loadIngestConfig, openLedger, parseIngestConfig } from '@stemlab/broker';
import type { Command } from '../main.ts';
import { parseCommand, untilStopped, UsageError } from '../args.ts';

const help = `Usage: stemlab ingest [--config ingest.yaml]

The ingest on its own: an MQTT client of a broker you already run (Mosquitto, EMQX, HiveMQ)
that writes what the gateways publish to the usage ledger (DATA_DIR/ledger.sqlite), and
acknowledges each usage event to the broker only once it is on disk. Several processes with the
same shareGroup split the messages between them. Example config: broker/examples/ingest.yaml;
the broker's side (ACL, shared subscriptions): docs/ingest-on-any-broker.md.
Stops on Ctrl-C or SIGTERM: stops taking messages, commits what it holds, then disconnects.`;

const Options = z.object({ config: z.string().optional() });

export const ingest: Command = {
  summary: 'the ingest as a client of another MQTT broker (--config FILE)',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(help);
      return 0;
    }
    const { values } = parseCommand('ingest', argv, { config: { type: 'string' } }, Options);
    let config, password, ca;
    try {
      config = values.config ? await loadIngestConfig(values.config) : parseIngestConfig({});
      password = ingestPassword(config);
      ca = config.broker.caFile ? readFileSync(config.broker.caFile) : undefined;
    } catch (err) {
      if (err instanceof IngestConfigError) throw new UsageError(err.message);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`broker.caFile: no such file ${config?.broker.caFile ?? ''}`);
      throw err;
    }
    const log = pino({ level: config.log.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
    mkdirSync(config.dataDir, { recursive: true });
    const ledger = await openLedger(config.ledger?.kind === 'postgres' ? config.ledger : { kind: 'sqlite', file: join(config.dataDir, 'ledger.sqlite') });
    const ingestor = new Ingest({ ledger, log });
    const client = new IngestClient({
      ingest: ingestor,
      url: config.broker.url,
      clientId: config.broker.clientId,
      username: config.broker.username,
      password,
      ca,
      protocolVersion: config.broker.protocolVersion,
      shareGroup: config.shareGroup,
      units: config.units,
      sessionExpirySeconds: config.sessionExpirySeconds,
      receiveMaximum: config.receiveMaximum,
      keepaliveSeconds: config.broker.keepaliveSeconds,
      reconnect: config.reconnect,
      healthIntervalMs: config.healthIntervalSeconds * 1000,
      log,
    });
    let fatal: Error | undefined;
    const failed = new Promise<string>((resolve) =>
      client.once('fatal', (err) => {
        fatal = err;
        resolve('fatal');
      }),
    );
    try {
      // Waits for the broker (retrying with backoff); fails at once on refused credentials or ACL.
      const stopped = untilStopped(undefined);
      const started = client.start().then(() => 'started');
      const first = await Promise.race([started, stopped.then((why) => `stopped:${why}`)]);
      if (first === 'started') {
        console.log(`ingest: ${config.broker.url} as ${config.broker.clientId}${config.shareGroup ? ` in share group ${config.shareGroup}` : ''}; ledger: ${ledger.where}`);
        const why = await Promise.race([stopped, failed]);
        log.info({ why }, 'stopping');
      }
      await client.stop();
    } catch (err) {
      fatal = err as Error;
      await client.stop();
    } finally {
      await ingestor.stop();
      await ledger.close();
    }
    if (fatal) {
      console.error(`stemlab ingest: ${fatal.message}`);
      return 1;
    }
    return 0;
  },
};

// The Aedes persistences ship no types: the part of their API the central uses. Their default
// exports wrap the async implementation in aedes-persistence's CallBackPersistence, the shape
// Aedes 1.x drives (its retained-message stream, for one, must be a Node stream).
declare module 'aedes-persistence-level' {
  import type { Level } from 'level';

  export interface Persistence {
    setup(broker: unknown): Promise<void>;
    destroy(): Promise<void>;
  }
  export default function aedesPersistenceLevel(db: Level<string, Buffer>): Persistence;
}

declare module 'aedes-persistence-redis' {
  import type { RedisOptions } from 'ioredis';
  import type { Persistence } from 'aedes-persistence-level';

  export default function aedesPersistenceRedis(options: RedisOptions & { maxSessionDelivery?: number }): Persistence;
}

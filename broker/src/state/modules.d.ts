// The Aedes persistences ship no types: the part of their API the central uses. Aedes 1.x takes
// the async classes directly (it refuses a persistence whose setup() is not an async function).
declare module 'aedes-persistence-level/asyncPersistence.js' {
  import type { Level } from 'level';

  export default class AsyncLevelPersistence {
    constructor(db: Level<string, Buffer>);
    setup(broker: unknown): Promise<void>;
    destroy(): Promise<void>;
  }
}

declare module 'aedes-persistence-redis/asyncPersistence.js' {
  import type { RedisOptions } from 'ioredis';

  export default class AsyncRedisPersistence {
    constructor(options: RedisOptions & { maxSessionDelivery?: number });
    setup(broker: unknown): Promise<void>;
    destroy(): Promise<void>;
  }
}

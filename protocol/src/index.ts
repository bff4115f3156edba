export * from './boards.ts';
export * from './commands.ts';
export * from './messages.ts';
export * from './topics.ts';
export * from './config-reference.ts';
export * from './backoff.ts';
export * from './bridge.ts';

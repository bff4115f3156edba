export * from './boards.ts';
export * from './commands.ts';

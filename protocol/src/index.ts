export * from './boards.ts';

// Lint with type information so that floating promises (a dropped error on a
// serial port or an MQTT client) are caught before they reach a gateway.
import tseslint from 'typescript-eslint';

const simulators = {
  group: ['@stemlab/simulators', '@stemlab/simulators/*', '**/simulators/**'],
  message: 'The agent and the central never create simulated hardware: a composition root (compose/) hands it in.',
};
const compose = {
  group: ['@stemlab/compose', '@stemlab/compose/*', '**/compose/**'],
  message: 'compose/ is for composition roots (the CLI, the demo, tests, benches), not for what they compose.',
};
const broker = {
  group: ['@stemlab/broker', '@stemlab/broker/*', '**/broker/**'],
  message: 'The edge agent and the central share only @stemlab/protocol; tests across both live in e2e/, benches in bench/.',
};
const agent = {
  group: ['@stemlab/edge-agent', '@stemlab/edge-agent/*', '**/edge-agent/**'],
  message: 'The central and the edge agent share only @stemlab/protocol; tests across both live in e2e/, benches in bench/.',
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'simulators/simavr/build/**', 'docs/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The architecture, enforced: the agent never creates simulated hardware (a composition root,
  // compose/, hands it in), and the gateway and the central side share only protocol/.
  {
    files: ['edge-agent/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [simulators, compose, broker] }] },
  },
  {
    // The agent's tests and benches may use simulators and compose (dev dependencies), not the central.
    files: ['edge-agent/test/**/*.ts', 'edge-agent/bench/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [broker] }] },
  },
  {
    files: ['broker/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [agent, compose] }] },
  },
  {
    // After broker/**: for the central's own code this list replaces the one above.
    files: ['broker/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [simulators, compose, agent] }] },
  },
  {
    // Node-RED loads nodes with require(): the palette is CommonJS.
    files: ['flows/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

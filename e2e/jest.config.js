// Browser specs: the built server as a child process, the built app in Chromium (playwright-core).
module.exports = {
  displayName: 'e2e',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper: {
    '^@chatstream/protocol$': '<rootDir>/../libs/protocol/src/index.ts',
  },
  testTimeout: 60000,
  // One server and a few browsers at a time: the specs run one file after another.
  maxWorkers: 1,
};

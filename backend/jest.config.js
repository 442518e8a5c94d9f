// Unit specs sit next to the code (src/), integration specs boot the app (test/).
module.exports = {
  displayName: 'backend',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper: {
    '^@chatstream/protocol$': '<rootDir>/../libs/protocol/src/index.ts',
  },
  setupFiles: ['<rootDir>/test/jest.setup.ts'],
  testTimeout: 20000,
};

// Unit specs of the generator's logic sit next to the code (src/); the smoke
// spec (test/) runs every scenario for a second against the real servers.
module.exports = {
  displayName: 'bench',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleNameMapper: {
    '^@chatstream/protocol$': '<rootDir>/../libs/protocol/src/index.ts',
  },
  testTimeout: 30000,
};

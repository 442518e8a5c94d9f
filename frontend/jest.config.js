// Unit specs of the web app: jest-preset-angular in jsdom, zoneless like the app.
const { createCjsPreset } = require('jest-preset-angular/presets');

module.exports = {
  ...createCjsPreset({ tsconfig: '<rootDir>/tsconfig.spec.json' }),
  displayName: 'frontend',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/src/test-setup.ts'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  moduleNameMapper: {
    '^@chatstream/protocol$': '<rootDir>/../libs/protocol/src/index.ts',
  },
};

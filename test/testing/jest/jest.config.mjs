/**
 * Jest in ESM mode (node --experimental-vm-modules) on the tenkey/testing sample, the package's entry point mapped
 * to this tree's source. Run by test/testing/frameworks.test.ts; not part of the vitest suite.
 */
export default {
  rootDir: '../../..',
  testMatch: ['<rootDir>/test/testing/jest/*.jest.ts'],
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/test/testing/jest/typescript-transform.cjs' },
  moduleNameMapper: {
    '^tenkey/testing$': '<rootDir>/testing/index.ts',
    '^tenkey$': '<rootDir>/host-driver/index.ts',
    // The source imports ./x.js for ./x.ts, as node's ESM resolution wants.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  cache: false,
};

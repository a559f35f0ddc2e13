// @ts-check
/** One transform for every tier: SWC with decorator metadata, so Nest DI works in tests. */
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    },
  ],
};

const moduleNameMapper = {
  '^@conduit/observability/telemetry$': '<rootDir>/libs/observability/src/telemetry/start-telemetry.ts',
  '^@conduit/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
};

const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform,
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,scripts}/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      testTimeout: 30_000,
      testMatch: ['<rootDir>/{apps,libs,scripts}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/e2e/support/global-setup.ts',
    },
    {
      ...base,
      displayName: 'e2e',
      // Services start as processes; on a loaded 2-core machine that takes seconds.
      testTimeout: 60_000,
      testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/e2e/support/global-setup.ts',
    },
  ],
};

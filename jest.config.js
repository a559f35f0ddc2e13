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
  '^@conduit/([a-z-]+)/testing$': '<rootDir>/libs/$1/src/testing/index.ts',
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
  // A root option (Jest ignores it in project configs): integration and e2e tests start servers
  // and processes, which on a loaded 2-core machine takes seconds. It is a deadline, not a wait:
  // a passing test or hook ends at once. A clean-clone run with a load average of 23 on two cores
  // (eight other workloads and a CPU burner) needed more than 60 s to boot the e2e platform in
  // `beforeAll`, so hooks get three minutes before they count as failed.
  testTimeout: 180_000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,scripts}/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,scripts}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/scripts/dev/jest-global-setup.ts',
      globalTeardown: '<rootDir>/scripts/dev/jest-global-teardown.ts',
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/scripts/dev/jest-global-setup.ts',
      globalTeardown: '<rootDir>/scripts/dev/jest-global-teardown.ts',
    },
  ],
};

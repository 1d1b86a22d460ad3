// One root config, three tiers: unit (pure and scripted-SDK tests), integration (the AWS
// emulator and real local servers), e2e (the built dist/index.js run as the runner runs it).
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@ecs-ship/(shared|testing|local-aws|workflow-runner|workflow-checks|rehearsal)/(.*)$':
      '<rootDir>/packages/$1/src/$2.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  rootDir: '.',
};

export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{packages,actions}/*/__tests__/**/*.test.ts'],
      testPathIgnorePatterns: ['\\.int\\.test\\.ts$', '\\.e2e\\.test\\.ts$'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{packages,actions}/*/__tests__/**/*.int.test.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/{packages,actions}/*/__tests__/**/*.e2e.test.ts'],
    },
  ],
};

import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@synctalk/source'] },
  test: {
    name: 'widget',
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
  },
});

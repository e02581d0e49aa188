/**
 * The server image ships the widget bundle where the server resolves it: built in the build stage, and its
 * dist/ copied next to the workspace link node_modules/@synctalk/widget. (No Docker engine runs here, so the
 * file is checked as text.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
const [build = '', runtime = ''] = dockerfile.split(/^FROM .*$/m).slice(1);

describe('packages/server/Dockerfile', () => {
  it('builds the widget with the server', () => {
    expect(build).toMatch(/^COPY packages\/widget packages\/widget$/m);
    expect(build).toMatch(/^RUN npm run build .*-w @synctalk\/widget\b/m);
    expect(build).toMatch(/^RUN npm run build .*-w @synctalk\/server\b/m);
  });

  it('copies the widget build into the runtime image, where @synctalk/widget/widget.js resolves', () => {
    expect(runtime).toMatch(/^COPY packages\/widget\/package\.json packages\/widget\/$/m);
    expect(runtime).toMatch(/^COPY --from=build \/app\/packages\/widget\/dist packages\/widget\/dist$/m);
    const exports = JSON.parse(readFileSync(new URL('../../widget/package.json', import.meta.url), 'utf8'))
      .exports as Record<string, unknown>;
    expect(exports['./widget.js']).toBe('./dist/widget.js');
  });
});

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDLER_MODULE } from '../../lib/handlerBuildOptions.ts';
import { LocalHandlerBundler } from '../../lib/LocalHandlerBundler.ts';

describe('LocalHandlerBundler', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'local-bundler-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('bundles the handler into the output directory before returning, with the shared options and their plugin', () => {
    // Prepare
    const outputDir = join(dir, 'certificateSweeper');

    // Act
    const bundled = new LocalHandlerBundler('certificateSweeper').tryBundle(outputDir);

    // Assess
    expect(bundled).toBe(true);
    const entry = join(outputDir, `${HANDLER_MODULE}.mjs`);
    expect(existsSync(entry)).toBe(true);
    const code = readFileSync(entry, 'utf8');
    // A route of the IoT commands the sweeper sends, and one of a command it never sends.
    expect(code).toContain('/certificates/{certificateId}');
    expect(code).not.toContain('/security-profiles');
  });

  it('throws naming the handler and carrying esbuild’s message when the build fails', () => {
    // Prepare: the output directory can't be created under a file.
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');

    // Act
    const bundle = () => new LocalHandlerBundler('ack').tryBundle(join(blocker, 'out'));

    // Assess
    expect(bundle).toThrow(/Bundling the ack handler failed:\n[\s\S]*a-file/);
  });
});

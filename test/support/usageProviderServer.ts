import { readFileSync } from 'node:fs';
import { afterEach } from 'vitest';
import {
  type ReceivedRequest,
  type ScriptedHttpServer,
  type ScriptedResponse,
  startScriptedHttpServer,
} from './scriptedHttpServer.ts';

/** A provider's published example response, from test/fixtures/usage/ (sources in SOURCES.md). */
export function usageFixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/usage/${name}`, import.meta.url), 'utf8'));
}

/**
 * A scripted stand-in for a provider's usage API, one per test, closed after each test.
 *
 * @example
 * const serve = scriptedProviderPerTest();
 * const { url, requests } = await serve(() => ({ status: 200, body: usageFixture('openai-costs.json') }));
 */
export function scriptedProviderPerTest(): (
  respond: (request: ReceivedRequest, index: number) => ScriptedResponse,
) => Promise<ScriptedHttpServer> {
  let server: ScriptedHttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return async (respond) => {
    server = await startScriptedHttpServer(respond);
    return server;
  };
}

import { describe, expect, it } from 'vitest';
import {
  HEALTH_PATH,
  healthBodySchema,
  healthResponse,
} from '../../../../lambdas/core/health/healthResponse.ts';

describe('healthResponse', () => {
  it('answers 200 with a body its own schema accepts, and nothing else in it', () => {
    // Act
    const { status, body } = healthResponse();

    // Assess
    expect(HEALTH_PATH).toBe('/healthz');
    expect(status).toBe(200);
    expect(JSON.stringify(body)).toBe('{"status":"ok"}');
    expect(healthBodySchema.parse(JSON.parse(JSON.stringify(body)))).toEqual({ status: 'ok' });
  });

  it('can not be changed by a caller, so one request can not alter the next answer', () => {
    // Act
    const first = healthResponse();
    const mutate = () => {
      (first.body as { status: string }).status = 'degraded';
    };

    // Assess
    expect(mutate).toThrow(TypeError);
    expect(healthResponse().body).toEqual({ status: 'ok' });
  });

  it.each([
    ['another status', { status: 'degraded' }],
    ['an extra field', { status: 'ok', version: '1.2.3' }],
    ['no status', {}],
    ['a captive portal page', '<html>Sign in to the hotel Wi-Fi</html>'],
    ['null', null],
  ])('is told apart from %s by the schema', (_name, body) => {
    expect(healthBodySchema.safeParse(body).success).toBe(false);
  });
});

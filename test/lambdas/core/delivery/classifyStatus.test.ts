import { describe, expect, it } from 'vitest';
import { classifyStatus } from '../../../../lambdas/core/delivery/classifyStatus.ts';

describe('classifyStatus', () => {
  it.each([200, 201, 202, 204, 299])('counts %i as delivered', (status) => {
    expect(classifyStatus(status)).toBe('delivered');
  });

  it.each([408, 429, 500, 502, 503, 504, 599])(
    'keeps retrying on %i: the target is busy or restarting',
    (status) => {
      expect(classifyStatus(status)).toBe('retry');
    },
  );

  it.each([
    [0, 'the agent refused the target'],
    [100, 'an informational status'],
    [199, 'just below 2xx'],
    [300, 'just above 2xx'],
    [304, 'a redirect'],
    [400, 'a bad request'],
    [401, 'unauthorised'],
    [404, 'no such hook'],
    [407, 'just below 408'],
    [409, 'just above 408'],
    [413, 'too large'],
    [428, 'just below 429'],
    [430, 'just above 429'],
    [499, 'the last 4xx'],
  ])('makes %i final (%s)', (status) => {
    expect(classifyStatus(status)).toBe('failed');
  });

  it.each([600, 700, 999])('makes %i, outside HTTP, final', (status) => {
    expect(classifyStatus(status)).toBe('failed');
  });

  it('puts every status an ack can carry (0-599) in the class its range names', () => {
    // Prepare
    const expected = (status: number) =>
      status >= 200 && status <= 299
        ? 'delivered'
        : status === 408 || status === 429 || (status >= 500 && status <= 599)
          ? 'retry'
          : 'failed';

    // Act
    const mismatches = Array.from({ length: 600 }, (_, status) => status).filter(
      (status) => classifyStatus(status) !== expected(status),
    );

    // Assess
    expect(mismatches).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { keepAliveSeconds } from '../../../lambdas/edge/keepAliveSeconds.ts';

describe('keepAliveSeconds', () => {
  it.each([
    [0, 1200],
    [1, 30],
    [29, 30],
    [30, 30],
    [60, 60],
    [1200, 1200],
    [1201, 1200],
    [65_535, 1200],
  ])('holds a requested keep-alive of %i s to %i s', (requested, held) => {
    expect(keepAliveSeconds(requested)).toBe(held);
  });
});

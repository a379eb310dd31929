import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../../agent/delivery/ConcurrencyLimiter.ts';

describe('ConcurrencyLimiter', () => {
  it('runs at most `limit` tasks at once, the rest in arrival order', async () => {
    // Prepare
    const limiter = new ConcurrencyLimiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (id: number) => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 10));
      order.push(id);
      running--;
      return id;
    };

    // Act
    const results = await Promise.all([1, 2, 3, 4, 5].map((id) => limiter.run(task(id))));

    // Assess
    expect(results).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(order.slice(2)).toEqual([3, 4, 5]);
    expect(limiter.active).toBe(0);
  });

  it('frees the slot when a task throws', async () => {
    const limiter = new ConcurrencyLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(() => Promise.resolve('next'))).resolves.toBe('next');
    expect(limiter.active).toBe(0);
  });
});

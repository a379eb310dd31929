import { describe, expect, it } from 'vitest';
import type { PresenceEvent } from '../../../lambdas/core/ports.ts';
import { PresenceReporter } from '../../../lambdas/edge/PresenceReporter.ts';
import { MemoryLogger } from '../../support/MemoryLogger.ts';

describe('PresenceReporter', () => {
  it('hands one agent’s events over one at a time, in the order reported', async () => {
    // Prepare: the first event's handler is slow, the second's fast
    const applied: string[] = [];
    const reporter = new PresenceReporter(async (event) => {
      if (event.connected) await new Promise((resolve) => setTimeout(resolve, 30));
      applied.push(`${event.sessionId}:${event.connected}`);
    }, new MemoryLogger());
    // Act
    reporter.report('laptop', true, 's1');
    reporter.report('laptop', false, 's1');
    reporter.report('laptop', true, 's2');
    await reporter.settled();
    // Assess
    expect(applied).toEqual(['s1:true', 's1:false', 's2:true']);
  });

  it('does not hold one agent’s events behind another agent’s slow handler', async () => {
    // Prepare
    const applied: string[] = [];
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const reporter = new PresenceReporter(async (event) => {
      if (event.agentId === 'slow-agent') await blocked;
      applied.push(event.agentId);
    }, new MemoryLogger());
    // Act
    reporter.report('slow-agent', true, 's1');
    reporter.report('fast-agent', true, 's2');
    await new Promise((resolve) => setTimeout(resolve, 10));
    const beforeRelease = [...applied];
    release();
    await reporter.settled();
    // Assess
    expect(beforeRelease).toEqual(['fast-agent']);
    expect(applied).toEqual(['fast-agent', 'slow-agent']);
  });

  it('gives every event a strictly later time than the one before', async () => {
    // Prepare
    const events: PresenceEvent[] = [];
    const reporter = new PresenceReporter((event) => {
      events.push(event);
    }, new MemoryLogger());
    // Act
    for (let i = 0; i < 50; i++) reporter.report(`agent-${i % 3}`, i % 2 === 0, `s${i}`);
    await reporter.settled();
    // Assess
    const times = events.map((e) => e.at).sort((a, b) => a - b);
    expect(new Set(times).size).toBe(50);
    expect(Math.abs(times[0]! - Date.now())).toBeLessThan(5_000);
  });

  it('logs a failing handler by error code only and keeps delivering later events', async () => {
    // Prepare
    const logger = new MemoryLogger();
    const seen: boolean[] = [];
    const reporter = new PresenceReporter((event) => {
      seen.push(event.connected);
      if (event.connected)
        throw Object.assign(new Error('secret-canary in message'), { code: 'SQLITE_BUSY' });
    }, logger);
    // Act
    reporter.report('laptop', true, 's1');
    reporter.report('laptop', false, 's1');
    await reporter.settled();
    // Assess
    expect(seen).toEqual([true, false]);
    expect(logger.lines).toEqual([
      {
        level: 'error',
        event: 'tunnel_presence_handler_failed',
        fields: { agentId: 'laptop', error: 'SQLITE_BUSY' },
      },
    ]);
    expect(JSON.stringify(logger.lines)).not.toContain('secret-canary');
  });
});

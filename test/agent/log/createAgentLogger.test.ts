import { describe, expect, it } from 'vitest';
import { createAgentLogger } from '../../../agent/log/createAgentLogger.ts';

const now = () => Date.parse('2026-11-29T10:11:12.345Z');

describe('createAgentLogger', () => {
  it('writes readable lines: time, level, event, fields', () => {
    const lines: string[] = [];
    const logger = createAgentLogger({ json: false, write: (l) => lines.push(l), now });
    logger.warn('delivery_failed', { envelopeId: 'e1', statusCode: 404, reason: 'no route for this source' });
    expect(lines).toEqual([
      '10:11:12 warn  delivery_failed envelopeId=e1 statusCode=404 reason="no route for this source"\n',
    ]);
  });

  it('writes JSON lines with --json-logs', () => {
    const lines: string[] = [];
    createAgentLogger({ json: true, write: (l) => lines.push(l), now }).info('tunnel_connected', {
      agentId: 'a',
    });
    expect(JSON.parse(lines[0]!)).toEqual({
      time: '2026-11-29T10:11:12.345Z',
      level: 'info',
      event: 'tunnel_connected',
      agentId: 'a',
    });
  });

  it('redacts secret-looking fields in both formats', () => {
    const lines: string[] = [];
    for (const json of [true, false]) {
      createAgentLogger({ json, write: (l) => lines.push(l), now }).error('oops', {
        authorization: 'Bearer x',
        body: 'b',
      });
    }
    expect(lines.join('')).not.toMatch(/Bearer x|=b\b|"b"/);
    expect(lines.join('')).toContain('[redacted]');
  });
});

import type { Logger } from '../../lambdas/core/ports.ts';

/** One structured log line as the code under test emitted it. */
export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly event: string;
  readonly fields?: Record<string, unknown>;
}

/**
 * A Logger that keeps its lines in memory, so tests can assert what was logged and scan it for canaries.
 *
 * @example
 * const logger = new MemoryLogger();
 * expect(logger.events()).toContain('tunnel_refused');
 */
export class MemoryLogger implements Logger {
  readonly lines: LogLine[] = [];

  info(event: string, fields?: Record<string, unknown>): void {
    this.lines.push(fields === undefined ? { level: 'info', event } : { level: 'info', event, fields });
  }

  warn(event: string, fields?: Record<string, unknown>): void {
    this.lines.push(fields === undefined ? { level: 'warn', event } : { level: 'warn', event, fields });
  }

  error(event: string, fields?: Record<string, unknown>): void {
    this.lines.push(fields === undefined ? { level: 'error', event } : { level: 'error', event, fields });
  }

  /** The event names logged so far, in order. */
  events(): string[] {
    return this.lines.map((line) => line.event);
  }
}

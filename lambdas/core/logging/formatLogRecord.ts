/**
 * One JSON log record as a readable line: `12:00:00 info  event name=value …`. Values with spaces,
 * quotes or `=` are quoted so the line still splits unambiguously.
 *
 * @example
 * formatLogRecord({ time: '2026-01-01T12:00:00.000Z', level: 'info', event: 'edge_started', port: 7700 });
 * // '12:00:00 info  edge_started port=7700'
 */
export function formatLogRecord(
  record: Record<string, unknown>,
  options: { readonly date?: boolean; readonly prefix?: string } = {},
): string {
  const { time, level, event, ...fields } = record;
  const stamp = String(time ?? '');
  const when = options.date ? `${stamp.slice(0, 10)} ${stamp.slice(11, 19)}` : stamp.slice(11, 19);
  const pairs = Object.entries(fields).map(([name, value]) => `${name}=${formatValue(value)}`);
  return `${when} ${options.prefix ?? ''}${String(level ?? '').padEnd(5)} ${String(event ?? '')}${
    pairs.length ? ` ${pairs.join(' ')}` : ''
  }`;
}

function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[\s"=]/.test(text ?? '') ? JSON.stringify(text) : String(text);
}

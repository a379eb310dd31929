import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError } from '../core/errors.ts';

/**
 * Reads a request body into one buffer, refusing (before reading) a declared length over `limit` and
 * (while reading) an actual one, so a huge body never fills memory.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new PayloadTooLargeError(limit, declared);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > limit) throw new PayloadTooLargeError(limit, size);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}

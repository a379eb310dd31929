import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError } from '../core/errors.ts';

/**
 * Reads a request body into one buffer, refusing (before reading) a declared length over `limit` and
 * (while reading) an actual one, so a huge body never fills memory: the request is then destroyed.
 * A request that closes before its end rejects (`ECONNRESET` when the client aborts it).
 *
 * Listens to the stream's events rather than iterating it: a webhook is one chunk or a few, and the
 * async iterator's machinery cost more than the copy.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new PayloadTooLargeError(limit, declared));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error: Error | undefined) => {
      req.off('data', onData).off('end', onEnd).off('error', settle).off('close', onClose);
      if (error) reject(error);
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        settle(new PayloadTooLargeError(limit, size));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => settle(undefined);
    const onClose = () =>
      settle(
        Object.assign(new Error('The request closed before its end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }),
      );
    req.on('data', onData).on('end', onEnd).on('error', settle).on('close', onClose);
  });
}

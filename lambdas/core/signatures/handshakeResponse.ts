import type { HandshakeResponse } from './types.ts';

/**
 * A plain-text handshake answer (Slack, Twitch and Meta echo a challenge this way). `nosniff` keeps a
 * browser from reading an echoed challenge as anything but text.
 */
export function textHandshake(status: number, body: string): HandshakeResponse {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
    body,
  };
}

/** A JSON handshake answer (Zoom's `{ plainToken, encryptedToken }`). */
export function jsonHandshake(status: number, value: unknown): HandshakeResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

/**
 * The error hierarchy of ClawPulsar. Every error carries a stable `code`, the HTTP status it maps to,
 * and data that explains it. Messages never contain a secret, a key, a body or a computed MAC.
 *
 * @example
 * throw new NotFoundError('unknown_source', 'No source "gh" for agent "a1"', { agentId: 'a1' });
 */
export class ClawPulsarError extends Error {
  override name = 'ClawPulsarError';
  readonly code: string;
  readonly status: number;
  readonly data: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    message: string,
    status = 500,
    data: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.status = status;
    this.data = data;
  }
}

/** Input that does not match what the boundary accepts (HTTP, MQTT, CLI, env). Maps to 400. */
export class BadRequestError extends ClawPulsarError {
  override name = 'BadRequestError';
  constructor(
    code: string,
    message: string,
    data: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, 400, data, options);
  }
}

/** A webhook whose signature, timestamp or token did not verify. Maps to 401. */
export class VerificationError extends ClawPulsarError {
  override name = 'VerificationError';
  constructor(reason: string, data: Record<string, unknown> = {}) {
    super('verification_failed', reason, 401, data);
  }
}

/** Missing or wrong credentials on the management API or the tunnel. Maps to 401. */
export class UnauthorizedError extends ClawPulsarError {
  override name = 'UnauthorizedError';
  constructor(code: string, message: string, data: Record<string, unknown> = {}) {
    super(code, message, 401, data);
  }
}

/** Authenticated, but not allowed (e.g. an agent touching another agent's data). Maps to 403. */
export class ForbiddenError extends ClawPulsarError {
  override name = 'ForbiddenError';
  constructor(code: string, message: string, data: Record<string, unknown> = {}) {
    super(code, message, 403, data);
  }
}

/** An agent, source, key or budget that does not exist. Maps to 404. */
export class NotFoundError extends ClawPulsarError {
  override name = 'NotFoundError';
  constructor(code: string, message: string, data: Record<string, unknown> = {}) {
    super(code, message, 404, data);
  }
}

/** A state conflict (e.g. a registration token already used). Maps to 409. */
export class ConflictError extends ClawPulsarError {
  override name = 'ConflictError';
  constructor(code: string, message: string, data: Record<string, unknown> = {}) {
    super(code, message, 409, data);
  }
}

/** A body over the documented limit. Maps to 413. */
export class PayloadTooLargeError extends ClawPulsarError {
  override name = 'PayloadTooLargeError';
  constructor(limitBytes: number, actualBytes: number) {
    super('payload_too_large', `Body is ${actualBytes} bytes; the limit is ${limitBytes} bytes`, 413, {
      limitBytes,
      actualBytes,
    });
  }
}

/** A content type the route does not accept. Maps to 415. */
export class UnsupportedMediaTypeError extends ClawPulsarError {
  override name = 'UnsupportedMediaTypeError';
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('unsupported_media_type', message, 415, data);
  }
}

/** A dependency (queue, table, key service) failed; the caller should retry. Maps to 503. */
export class UnavailableError extends ClawPulsarError {
  override name = 'UnavailableError';
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, 503, {}, options);
  }
}

/**
 * A sealed envelope that could not be built or opened. `code` says which check failed: `truncated`,
 * `malformed`, `unsupported_version`, `unsupported_suite`, `wrong_agent`, `decrypt_failed`,
 * `invalid_key`, `invalid_binding`, `invalid_request`. Maps to 400. Messages hold lengths and ids only.
 */
export class EnvelopeError extends ClawPulsarError {
  override name = 'EnvelopeError';
  constructor(
    code: string,
    message: string,
    data: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, 400, data, options);
  }
}

import { describe, expect, it } from 'vitest';
import { errorResponse, jsonResponse } from '../../../../lambdas/core/ingress/IngressResponse.ts';

describe('jsonResponse', () => {
  it('serialises the value as the body with a JSON content type and the given status', () => {
    // Act
    const response = jsonResponse(202, { status: 'accepted', envelopeId: 'e-1', note: 'café "quoted"' });

    // Assess
    expect(response).toEqual({
      status: 202,
      headers: { 'content-type': 'application/json' },
      body: '{"status":"accepted","envelopeId":"e-1","note":"café \\"quoted\\""}',
    });
    expect(JSON.parse(response.body)).toEqual({
      status: 'accepted',
      envelopeId: 'e-1',
      note: 'café "quoted"',
    });
  });

  it('gives every response its own headers object', () => {
    // Act
    const a = jsonResponse(200, {});
    const b = jsonResponse(200, {});

    // Assess
    expect(a.headers).not.toBe(b.headers);
  });
});

describe('errorResponse', () => {
  it('wraps code and message in the one error shape every route uses', () => {
    // Act
    const response = errorResponse(404, 'unknown_source', 'No source "gh" for agent "laptop"');

    // Assess
    expect(response.status).toBe(404);
    expect(response.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'unknown_source', message: 'No source "gh" for agent "laptop"' },
    });
  });

  it('keeps a message that looks like JSON a plain string, so it cannot add fields', () => {
    // Act
    const response = errorResponse(401, 'verification_failed', '","code":"ok');

    // Assess
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'verification_failed', message: '","code":"ok' },
    });
  });
});

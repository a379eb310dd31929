import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { zoom } from '../../../../../lambdas/core/signatures/providers/zoom.ts';
import type { VerifyInput } from '../../../../../lambdas/core/signatures/types.ts';
import { signedRequest } from '../support/signedRequest.ts';

const at = 1_767_225_600;
const [current, previous] = ['zoom-secret-new', 'zoom-secret-old'];

function input(body: string, signWith: string, secrets = [current, previous]): VerifyInput {
  const signature = createHmac('sha256', signWith).update(`v0:${at}:${body}`).digest('hex');
  return {
    request: signedRequest({
      headers: { 'x-zm-request-timestamp': String(at), 'x-zm-signature': `v0=${signature}` },
      body,
    }),
    source: { provider: 'zoom', secrets },
    nowSeconds: at,
  };
}

describe('zoom', () => {
  const validation = JSON.stringify({
    payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' },
    event_ts: 1654503849680,
    event: 'endpoint.url_validation',
  });

  it('answers endpoint.url_validation with the token hashed under the secret that verified', () => {
    // Prepare: signed with the older of two secrets, so only the secret that matched gives Zoom's answer.
    const request = input(validation, previous);

    // Act
    const verified = zoom.verify(request);
    const answer = zoom.handshake?.(request, verified);

    // Assess
    expect(verified).toMatchObject({ ok: true, secretIndex: 1 });
    expect(answer?.status).toBe(200);
    expect(JSON.parse(answer?.body ?? '')).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: createHmac('sha256', previous).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
    });
  });

  it('answers nothing when the validation request did not verify', () => {
    const request = input(validation, 'someone-else');

    expect(zoom.handshake?.(request, zoom.verify(request))).toBeUndefined();
  });

  it('answers nothing for an ordinary event', () => {
    const request = input(JSON.stringify({ event: 'meeting.started', payload: {} }), current);

    expect(zoom.handshake?.(request, zoom.verify(request))).toBeUndefined();
  });
});

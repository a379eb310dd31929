import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  fetchAlertWebhookSender,
  isPrivateHost,
} from '../../../../lambdas/adapters/http/fetchAlertWebhookSender.ts';
import { RecordingTarget } from '../../../support/RecordingTarget.ts';

let target: RecordingTarget;
beforeEach(async () => {
  target = await RecordingTarget.start((request) =>
    request.url === '/moved' ? { status: 302, headers: { location: '/elsewhere' } } : { status: 202 },
  );
});
afterEach(() => target.close());

describe('fetchAlertWebhookSender', () => {
  it('posts the body and headers as given and reports the status', async () => {
    const send = fetchAlertWebhookSender({ allowPrivateTargets: true });

    const { status } = await send({
      url: target.url('/in'),
      headers: { 'content-type': 'application/json', 'x-a': '1' },
      body: '{"a":1}',
    });

    expect(status).toBe(202);
    expect(target.requests[0]).toMatchObject({ method: 'POST', url: '/in' });
    expect(target.requests[0]!.headers['x-a']).toBe('1');
    expect(target.requests[0]!.body.toString()).toBe('{"a":1}');
  });

  it('never follows a redirect', async () => {
    const send = fetchAlertWebhookSender({ allowPrivateTargets: true });

    expect((await send({ url: target.url('/moved'), headers: {}, body: '' })).status).toBe(302);
    expect(target.requests.map((r) => r.url)).toEqual(['/moved']);
  });

  it('refuses loopback and private targets where they are not allowed, sending nothing', async () => {
    const send = fetchAlertWebhookSender({ allowPrivateTargets: false });

    await expect(send({ url: target.url('/in'), headers: {}, body: '' })).rejects.toMatchObject({
      code: 'webhook_target_refused',
    });
    expect(target.requests).toHaveLength(0);
  });
});

describe('isPrivateHost', () => {
  it.each([
    'localhost',
    'a.localhost',
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '[::1]',
    '[fd00::1]',
    '[fe80::1]',
    '0.0.0.0',
    '100.64.0.1',
  ])('treats %s as private', (host) => expect(isPrivateHost(host)).toBe(true));
  it.each(['hooks.slack.com', '8.8.8.8', '[2001:4860:4860::8888]', '172.32.0.1'])(
    'treats %s as public',
    (host) => expect(isPrivateHost(host)).toBe(false),
  );
});

import { sign as githubSign, verify as githubVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import type { SourceVerification } from '../lambdas/core/signatures/types.ts';
import { verifyWebhook } from '../lambdas/core/signatures/verifyWebhook.ts';
import type { WebhookRequest } from '../lambdas/core/WebhookRequest.ts';
import { interleave, printTable, sequentialSlice } from './measure.ts';

const SIZES = [1024, 10 * 1024, 100 * 1024];

function request(headers: Record<string, string>, body: Buffer): WebhookRequest {
  return {
    method: 'POST',
    url: 'https://edge.example/v1/hooks/a/b',
    path: '/v1/hooks/a/b',
    query: '',
    headers,
    body,
  };
}

/**
 * Our verifiers against the official ones (Stripe, GitHub, Standard Webhooks) on the same payloads. Both
 * sides start from what a server holds: the raw body bytes and the received headers, one secret each.
 * - Stripe: both take the bytes and both parse the JSON body (`constructEvent` returns the event; ours
 *   reads the event id for dedupe).
 * - GitHub: `verify` takes a string, so its side decodes the bytes as UTF-8 first (what its own
 *   middleware does); neither side parses the body. A second row hands it the string for free.
 * - Standard Webhooks: `verify` takes the bytes too, with `jsonParse: false`, as ours parses nothing
 *   (its delivery id is a header).
 */
export async function verifierBench(): Promise<void> {
  const stripe = new Stripe('sk_test_unused');
  const stripeSecret = 'whsec_benchsecretbenchsecret';
  const swSecret = `whsec_${Buffer.from('standard-webhooks-bench-secret!!').toString('base64')}`;
  const sw = new Webhook(swSecret);
  const rows: (string | number)[][] = [];
  const row = async (label: string, ours: () => unknown, theirs: () => unknown) => {
    const { usPerOp, ratio } = await interleave([sequentialSlice(ours), sequentialSlice(theirs)], {
      totalMs: 1_500,
      sliceMs: 10,
      clock: 'thread',
    });
    rows.push([label, usPerOp[0], usPerOp[1], ratio]);
  };
  for (const size of SIZES) {
    const overhead = JSON.stringify({ id: 'evt_bench', object: 'event', pad: '' }).length;
    const text = JSON.stringify({ id: 'evt_bench', object: 'event', pad: 'x'.repeat(size - overhead) });
    const body = Buffer.from(text);
    const now = Math.floor(Date.now() / 1000);

    const stripeHeaders = {
      'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: text, secret: stripeSecret }),
    };
    const stripeSource: SourceVerification = { provider: 'stripe', secrets: [stripeSecret] };
    const stripeReq = request(stripeHeaders, body);
    await row(
      `stripe ${size / 1024} KB`,
      () => verifyWebhook({ request: stripeReq, source: stripeSource, nowSeconds: now }),
      () => stripe.webhooks.constructEvent(body, stripeHeaders['stripe-signature'], stripeSecret),
    );

    const ghHeaders = {
      'x-hub-signature-256': await githubSign('gh-bench', text),
      'x-github-delivery': 'd1',
    };
    const ghSource: SourceVerification = { provider: 'github', secrets: ['gh-bench'] };
    const ghReq = request(ghHeaders, body);
    await row(
      `github ${size / 1024} KB`,
      () => verifyWebhook({ request: ghReq, source: ghSource, nowSeconds: now }),
      () => githubVerify('gh-bench', body.toString('utf8'), ghHeaders['x-hub-signature-256']),
    );
    // The same, with the official side handed the body already as a string: its lower bound.
    await row(
      `github ${size / 1024} KB, string given`,
      () => verifyWebhook({ request: ghReq, source: ghSource, nowSeconds: now }),
      () => githubVerify('gh-bench', text, ghHeaders['x-hub-signature-256']),
    );

    const msgId = 'msg_bench';
    const swHeaders = {
      'webhook-id': msgId,
      'webhook-timestamp': String(now),
      'webhook-signature': sw.sign(msgId, new Date(now * 1000), text),
    };
    const swSource: SourceVerification = { provider: 'standard-webhooks', secrets: [swSecret] };
    const swReq = request(swHeaders, body);
    await row(
      `standard-webhooks ${size / 1024} KB`,
      () => verifyWebhook({ request: swReq, source: swSource, nowSeconds: now }),
      () => sw.verify(body, swHeaders, { jsonParse: false }),
    );
  }
  printTable(
    'Signature verification: ClawPulsar vs the official library from the same raw bytes and headers; CPU time of the thread, interleaved, medians (target: speedup >= 1.0)',
    ['provider / body', 'ours us', 'official us', 'speedup'],
    rows,
  );
}

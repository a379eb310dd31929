import { sign as githubSign, verify as githubVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import type { SourceVerification } from '../lambdas/core/signatures/types.ts';
import { verifyWebhook } from '../lambdas/core/signatures/verifyWebhook.ts';
import type { WebhookRequest } from '../lambdas/core/WebhookRequest.ts';
import { printTable, time } from './measure.ts';

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

/** Our verifiers against the official ones (Stripe, GitHub, Standard Webhooks) on the same payloads. */
export async function verifierBench(): Promise<void> {
  const stripe = new Stripe('sk_test_unused');
  const stripeSecret = 'whsec_benchsecretbenchsecret';
  const swSecret = `whsec_${Buffer.from('standard-webhooks-bench-secret!!').toString('base64')}`;
  const sw = new Webhook(swSecret);
  const rows: (string | number)[][] = [];
  for (const size of SIZES) {
    const overhead = JSON.stringify({ id: 'evt_bench', object: 'event', pad: '' }).length;
    const text = JSON.stringify({ id: 'evt_bench', object: 'event', pad: 'x'.repeat(size - overhead) });
    const body = Buffer.from(text);
    const now = Math.floor(Date.now() / 1000);

    const stripeHeader = stripe.webhooks.generateTestHeaderString({ payload: text, secret: stripeSecret });
    const stripeSource: SourceVerification = { provider: 'stripe', secrets: [stripeSecret] };
    const stripeReq = request({ 'stripe-signature': stripeHeader }, body);
    const ours1 = await time(
      'ours',
      () => verifyWebhook({ request: stripeReq, source: stripeSource, nowSeconds: now }),
      500,
    );
    const theirs1 = await time(
      'stripe',
      () => stripe.webhooks.constructEvent(body, stripeHeader, stripeSecret),
      500,
    );
    rows.push([`stripe ${size / 1024} KB`, ours1.usPerOp, theirs1.usPerOp, theirs1.usPerOp / ours1.usPerOp]);

    const ghSig = await githubSign('gh-bench', text);
    const ghSource: SourceVerification = { provider: 'github', secrets: ['gh-bench'] };
    const ghReq = request({ 'x-hub-signature-256': ghSig, 'x-github-delivery': 'd1' }, body);
    const ours2 = await time(
      'ours',
      () => verifyWebhook({ request: ghReq, source: ghSource, nowSeconds: now }),
      500,
    );
    const theirs2 = await time('octokit', () => githubVerify('gh-bench', text, ghSig), 500);
    rows.push([`github ${size / 1024} KB`, ours2.usPerOp, theirs2.usPerOp, theirs2.usPerOp / ours2.usPerOp]);

    const msgId = 'msg_bench';
    const at = new Date(now * 1000);
    const swSig = sw.sign(msgId, at, text);
    const swHeaders = { 'webhook-id': msgId, 'webhook-timestamp': String(now), 'webhook-signature': swSig };
    const swSource: SourceVerification = { provider: 'standard-webhooks', secrets: [swSecret] };
    const swReq = request(swHeaders, body);
    const ours3 = await time(
      'ours',
      () => verifyWebhook({ request: swReq, source: swSource, nowSeconds: now }),
      500,
    );
    const theirs3 = await time('standardwebhooks', () => sw.verify(text, swHeaders), 500);
    rows.push([
      `standard-webhooks ${size / 1024} KB`,
      ours3.usPerOp,
      theirs3.usPerOp,
      theirs3.usPerOp / ours3.usPerOp,
    ]);
  }
  printTable(
    'Signature verification: ClawPulsar vs the official library, same payload (target: speedup >= 1.0)',
    ['provider / body', 'ours us', 'official us', 'speedup'],
    rows,
  );
}

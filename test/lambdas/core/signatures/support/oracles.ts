/**
 * One signing oracle per provider, independent of the code under test: the provider's official SDK
 * where one is installed, otherwise the provider's documented recipe computed here with node:crypto.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { bitbucket } from '../../../../../lambdas/core/signatures/providers/bitbucket.ts';
import { calendly } from '../../../../../lambdas/core/signatures/providers/calendly.ts';
import { clerk } from '../../../../../lambdas/core/signatures/providers/clerk.ts';
import { coinbaseCommerce } from '../../../../../lambdas/core/signatures/providers/coinbase-commerce.ts';
import { generic } from '../../../../../lambdas/core/signatures/providers/generic.ts';
import { github } from '../../../../../lambdas/core/signatures/providers/github.ts';
import { intercom } from '../../../../../lambdas/core/signatures/providers/intercom.ts';
import { jira } from '../../../../../lambdas/core/signatures/providers/jira.ts';
import { lemonsqueezy } from '../../../../../lambdas/core/signatures/providers/lemonsqueezy.ts';
import { linear } from '../../../../../lambdas/core/signatures/providers/linear.ts';
import { meta } from '../../../../../lambdas/core/signatures/providers/meta.ts';
import { notion } from '../../../../../lambdas/core/signatures/providers/notion.ts';
import { openai } from '../../../../../lambdas/core/signatures/providers/openai.ts';
import { paddle } from '../../../../../lambdas/core/signatures/providers/paddle.ts';
import { pagerduty } from '../../../../../lambdas/core/signatures/providers/pagerduty.ts';
import { resend } from '../../../../../lambdas/core/signatures/providers/resend.ts';
import { sentry } from '../../../../../lambdas/core/signatures/providers/sentry.ts';
import { shopify } from '../../../../../lambdas/core/signatures/providers/shopify.ts';
import { slack } from '../../../../../lambdas/core/signatures/providers/slack.ts';
import { standardWebhooks } from '../../../../../lambdas/core/signatures/providers/standard-webhooks.ts';
import { stripe } from '../../../../../lambdas/core/signatures/providers/stripe.ts';
import { supabase } from '../../../../../lambdas/core/signatures/providers/supabase.ts';
import { svix } from '../../../../../lambdas/core/signatures/providers/svix.ts';
import { twitch } from '../../../../../lambdas/core/signatures/providers/twitch.ts';
import { typeform } from '../../../../../lambdas/core/signatures/providers/typeform.ts';
import { vercel } from '../../../../../lambdas/core/signatures/providers/vercel.ts';
import { zoom } from '../../../../../lambdas/core/signatures/providers/zoom.ts';
import type { SourceVerification, WebhookProvider } from '../../../../../lambdas/core/signatures/types.ts';
import { prettyJsonBody } from './signedRequest.ts';

export type Headers = Record<string, string>;

export interface ProviderOracle {
  readonly provider: WebhookProvider;
  /** The header that carries the signature(s). */
  readonly signatureHeader: string;
  /** The provider's timestamp tolerance, when its scheme has a signed timestamp. */
  readonly tolerance?: number;
  /** A fresh secret in the format the provider issues. */
  secret(): string;
  /** Signs `body` at unix second `at` as the provider would, returning the request headers. */
  sign(body: string, secret: string, at: number): Headers | Promise<Headers>;
  /**
   * One header carrying both requests' signatures, as the provider sends during a rotation; absent when
   * the provider sends exactly one signature per request.
   */
  combine?(a: Headers, b: Headers): Headers;
  /** What a second copy of the signature header does: refused as ambiguous, or read as more signatures. */
  readonly duplicates: 'refused' | 'any-valid';
  /** The delivery id expected for `contractBody`. */
  readonly deliveryId?: string;
  /** Wraps arbitrary bytes into a body the provider would send (Linear needs its signed timestamp). */
  bodyFor?(payload: string, at: number): string;
  /** Extra source settings the provider needs (the generic definition). */
  readonly source?: Partial<SourceVerification>;
}

const hmac = (algorithm: string, key: string | Buffer, ...parts: string[]) => {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
};
const hex = (n = 24) => randomBytes(n).toString('hex');
const whsec = () => `whsec_${randomBytes(24).toString('base64')}`;

/** The body every contract case signs: pretty JSON carrying each provider's delivery id field. */
export function contractBody(at: number): string {
  return prettyJsonBody({
    id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy',
    event_id: 'Ev06A2BRQ7UF',
    notification_id: 'ntf_01h8bkrfe7w1vwf8xjt4d7d5',
    event: { id: '01DEN4HPBQAAAG05V5QQYBRZMF', event_type: 'incident.triggered' },
    webhookTimestamp: at * 1000,
    type: 'test.event',
  });
}

const stripeSdk = new Stripe('sk_test_contract');

const stripeLike = (header: string, pairSeparator: string) => ({
  combine: (a: Headers, b: Headers) => {
    const extra = b[header]!.split(pairSeparator).filter(
      (pair) => !pair.startsWith('t=') && !pair.startsWith('ts='),
    );
    return { ...a, [header]: [a[header], ...extra].join(pairSeparator) };
  },
});

const standardWebhooksOracle = (
  provider: WebhookProvider,
  prefix: 'webhook' | 'svix',
  sdk: 'standardwebhooks' | 'svix',
  secret: () => string = whsec,
): ProviderOracle => ({
  provider,
  signatureHeader: `${prefix}-signature`,
  tolerance: 300,
  secret,
  sign(body, key, at) {
    const id = 'msg_2LJ3Fa6Q1mXpbk9Kd3mQ8k7Yv';
    const bare = key.startsWith('v1,') ? key.slice(3) : key;
    const signer = sdk === 'svix' ? new SvixWebhook(bare) : new StandardWebhook(bare);
    return {
      [`${prefix}-id`]: id,
      [`${prefix}-timestamp`]: String(at),
      [`${prefix}-signature`]: signer.sign(id, new Date(at * 1000), body),
    };
  },
  combine: (a, b) => ({
    ...a,
    [`${prefix}-signature`]: `${a[`${prefix}-signature`]} ${b[`${prefix}-signature`]}`,
  }),
  duplicates: 'any-valid',
  deliveryId: 'msg_2LJ3Fa6Q1mXpbk9Kd3mQ8k7Yv',
});

/** A provider that signs the raw body alone into one header. */
const bodyHmacOracle = (
  provider: WebhookProvider,
  header: string,
  algorithm: 'sha256' | 'sha1',
  encoding: 'hex' | 'base64',
  prefix: string,
  extra: Headers = {},
  deliveryId?: string,
): ProviderOracle => ({
  provider,
  signatureHeader: header,
  secret: () => hex(),
  sign: (body, key) => ({ ...extra, [header]: `${prefix}${hmac(algorithm, key, body).toString(encoding)}` }),
  duplicates: 'refused',
  deliveryId,
});

export const oracles: readonly ProviderOracle[] = [
  {
    provider: stripe,
    signatureHeader: 'stripe-signature',
    tolerance: 300,
    secret: () => `whsec_${hex(16)}`,
    sign: (body, secret, at) => ({
      'stripe-signature': stripeSdk.webhooks.generateTestHeaderString({
        payload: body,
        secret,
        timestamp: at,
      }),
    }),
    ...stripeLike('stripe-signature', ','),
    duplicates: 'refused',
    deliveryId: 'evt_1NG8Du2eZvKYlo2CUI79vXWy',
  },
  {
    provider: github,
    signatureHeader: 'x-hub-signature-256',
    secret: () => hex(),
    sign: async (body, secret) => ({
      'x-hub-signature-256': await octokitSign(secret, body),
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'x-github-event': 'issues',
    }),
    duplicates: 'refused',
    deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
  },
  standardWebhooksOracle(standardWebhooks, 'webhook', 'standardwebhooks'),
  standardWebhooksOracle(svix, 'svix', 'svix'),
  standardWebhooksOracle(clerk, 'svix', 'svix'),
  standardWebhooksOracle(resend, 'svix', 'svix'),
  standardWebhooksOracle(openai, 'webhook', 'standardwebhooks'),
  standardWebhooksOracle(supabase, 'webhook', 'standardwebhooks', () => `v1,${whsec()}`),
  {
    provider: slack,
    signatureHeader: 'x-slack-signature',
    tolerance: 300,
    secret: () => hex(16),
    sign: (body, secret, at) => ({
      'x-slack-request-timestamp': String(at),
      'x-slack-signature': `v0=${hmac('sha256', secret, `v0:${at}:`, body).toString('hex')}`,
    }),
    duplicates: 'refused',
    deliveryId: 'Ev06A2BRQ7UF',
  },
  bodyHmacOracle(
    shopify,
    'x-shopify-hmac-sha256',
    'sha256',
    'base64',
    '',
    {
      'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      'x-shopify-topic': 'orders/create',
    },
    'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
  ),
  {
    ...bodyHmacOracle(
      linear,
      'linear-signature',
      'sha256',
      'hex',
      '',
      {
        'linear-delivery': '234d1a4e-b617-4388-90fe-adc3633d6b72',
      },
      '234d1a4e-b617-4388-90fe-adc3633d6b72',
    ),
    tolerance: 60,
    bodyFor: (payload, at) => JSON.stringify({ webhookTimestamp: at * 1000, data: payload }),
  },
  {
    provider: paddle,
    signatureHeader: 'paddle-signature',
    tolerance: 5,
    secret: () => `pdl_ntfset_${hex(13)}`,
    sign: (body, secret, at) => ({
      'paddle-signature': `ts=${at};h1=${hmac('sha256', secret, `${at}:`, body).toString('hex')}`,
    }),
    ...stripeLike('paddle-signature', ';'),
    duplicates: 'refused',
    deliveryId: 'ntf_01h8bkrfe7w1vwf8xjt4d7d5',
  },
  bodyHmacOracle(meta, 'x-hub-signature-256', 'sha256', 'hex', 'sha256='),
  {
    ...bodyHmacOracle(
      pagerduty,
      'x-pagerduty-signature',
      'sha256',
      'hex',
      'v1=',
      {},
      '01DEN4HPBQAAAG05V5QQYBRZMF',
    ),
    combine: (a, b) => ({
      ...a,
      'x-pagerduty-signature': `${a['x-pagerduty-signature']},${b['x-pagerduty-signature']}`,
    }),
    duplicates: 'any-valid',
  },
  bodyHmacOracle(
    sentry,
    'sentry-hook-signature',
    'sha256',
    'hex',
    '',
    {
      'request-id': 'f5d4a8b2-8c3e-4d1a-9a7b-2f0e6c1d3b4a',
      'sentry-hook-resource': 'issue',
    },
    'f5d4a8b2-8c3e-4d1a-9a7b-2f0e6c1d3b4a',
  ),
  bodyHmacOracle(vercel, 'x-vercel-signature', 'sha1', 'hex', '', {}, 'evt_1NG8Du2eZvKYlo2CUI79vXWy'),
  bodyHmacOracle(intercom, 'x-hub-signature', 'sha1', 'hex', 'sha1=', {}, 'evt_1NG8Du2eZvKYlo2CUI79vXWy'),
  {
    provider: calendly,
    signatureHeader: 'calendly-webhook-signature',
    tolerance: 180,
    secret: () => hex(),
    sign: (body, secret, at) => ({
      'calendly-webhook-signature': `t=${at},v1=${hmac('sha256', secret, `${at}.`, body).toString('hex')}`,
    }),
    ...stripeLike('calendly-webhook-signature', ','),
    duplicates: 'refused',
  },
  bodyHmacOracle(typeform, 'typeform-signature', 'sha256', 'base64', 'sha256=', {}, 'Ev06A2BRQ7UF'),
  bodyHmacOracle(
    coinbaseCommerce,
    'x-cc-webhook-signature',
    'sha256',
    'hex',
    '',
    {},
    'evt_1NG8Du2eZvKYlo2CUI79vXWy',
  ),
  bodyHmacOracle(
    bitbucket,
    'x-hub-signature',
    'sha256',
    'hex',
    'sha256=',
    {
      'x-request-uuid': '{8f1e2b3c-4d5e-6f70-8192-a3b4c5d6e7f8}',
      'x-event-key': 'repo:push',
    },
    '{8f1e2b3c-4d5e-6f70-8192-a3b4c5d6e7f8}',
  ),
  bodyHmacOracle(
    jira,
    'x-hub-signature',
    'sha256',
    'hex',
    'sha256=',
    {
      'x-atlassian-webhook-identifier': '1714493282116-1',
    },
    '1714493282116-1',
  ),
  bodyHmacOracle(
    notion,
    'x-notion-signature',
    'sha256',
    'hex',
    'sha256=',
    {},
    'evt_1NG8Du2eZvKYlo2CUI79vXWy',
  ),
  bodyHmacOracle(lemonsqueezy, 'x-signature', 'sha256', 'hex', ''),
  {
    provider: twitch,
    signatureHeader: 'twitch-eventsub-message-signature',
    tolerance: 600,
    secret: () => hex(20),
    sign(body, secret, at) {
      const id = 'e76c6bd4-55c9-4987-8304-da1588d8988b';
      // Twitch sends nanoseconds (RFC 3339); the digits are signed as sent.
      const timestamp = new Date(at * 1000).toISOString().replace('Z', '000000Z');
      return {
        'twitch-eventsub-message-id': id,
        'twitch-eventsub-message-timestamp': timestamp,
        'twitch-eventsub-message-type': 'notification',
        'twitch-eventsub-message-signature': `sha256=${hmac('sha256', secret, id, timestamp, body).toString('hex')}`,
      };
    },
    duplicates: 'refused',
    deliveryId: 'e76c6bd4-55c9-4987-8304-da1588d8988b',
  },
  {
    provider: zoom,
    signatureHeader: 'x-zm-signature',
    tolerance: 300,
    secret: () => randomBytes(16).toString('base64url'),
    sign: (body, secret, at) => ({
      'x-zm-request-timestamp': String(at),
      'x-zm-signature': `v0=${hmac('sha256', secret, `v0:${at}:`, body).toString('hex')}`,
    }),
    duplicates: 'refused',
  },
  {
    provider: generic,
    signatureHeader: 'x-acme-signature',
    tolerance: 300,
    secret: () => hex(),
    sign: (body, secret, at) => ({
      'x-acme-timestamp': String(at),
      'x-acme-delivery': 'acme-42',
      'x-acme-signature': `sha512=${hmac('sha512', secret, `${at}.POST.`, body).toString('base64')}`,
    }),
    duplicates: 'refused',
    deliveryId: 'acme-42',
    source: {
      generic: {
        header: 'X-Acme-Signature',
        algorithm: 'sha512',
        encoding: 'base64',
        prefix: 'sha512=',
        template: '{header:x-acme-timestamp}.{method}.{body}',
        timestampHeader: 'X-Acme-Timestamp',
        deliveryIdHeader: 'X-Acme-Delivery',
      },
    },
  },
];

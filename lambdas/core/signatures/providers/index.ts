import type { ProviderId, WebhookProvider } from '../types.ts';
import { bitbucket } from './bitbucket.ts';
import { calendly } from './calendly.ts';
import { clerk } from './clerk.ts';
import { coinbaseCommerce } from './coinbase-commerce.ts';
import { discord } from './discord.ts';
import { generic } from './generic.ts';
import { github } from './github.ts';
import { gitlab } from './gitlab.ts';
import { hubspot } from './hubspot.ts';
import { intercom } from './intercom.ts';
import { jira } from './jira.ts';
import { lemonsqueezy } from './lemonsqueezy.ts';
import { linear } from './linear.ts';
import { mailgun } from './mailgun.ts';
import { meta } from './meta.ts';
import { notion } from './notion.ts';
import { openai } from './openai.ts';
import { paddle } from './paddle.ts';
import { pagerduty } from './pagerduty.ts';
import { resend } from './resend.ts';
import { sendgrid } from './sendgrid.ts';
import { sentry } from './sentry.ts';
import { shopify } from './shopify.ts';
import { slack } from './slack.ts';
import { square } from './square.ts';
import { standardWebhooks } from './standard-webhooks.ts';
import { stripe } from './stripe.ts';
import { supabase } from './supabase.ts';
import { svix } from './svix.ts';
import { telegram } from './telegram.ts';
import { twilio } from './twilio.ts';
import { twitch } from './twitch.ts';
import { typeform } from './typeform.ts';
import { vercel } from './vercel.ts';
import { zoom } from './zoom.ts';

/** Every provider ClawPulsar verifies, by id. The `Record` type makes a missing id a compile error. */
export const providers: Readonly<Record<ProviderId, WebhookProvider>> = Object.freeze({
  stripe,
  github,
  'standard-webhooks': standardWebhooks,
  svix,
  clerk,
  resend,
  openai,
  slack,
  shopify,
  twilio,
  linear,
  gitlab,
  discord,
  telegram,
  square,
  paddle,
  meta,
  pagerduty,
  sentry,
  vercel,
  hubspot,
  mailgun,
  sendgrid,
  twitch,
  zoom,
  intercom,
  calendly,
  typeform,
  'coinbase-commerce': coinbaseCommerce,
  bitbucket,
  jira,
  notion,
  lemonsqueezy,
  supabase,
  generic,
});

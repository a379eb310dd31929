import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { telegram } from '../../../../../lambdas/core/signatures/providers/telegram.ts';
import type { SourceVerification } from '../../../../../lambdas/core/signatures/types.ts';
import { arbitraryRequest, webhookRequest } from './support/requests.ts';

const TOKEN = 'my-Secret_token-0123456789';
const OLD_TOKEN = 'previous-token_42';
const URL_ = 'https://hooks.example.com/v1/hooks/agent-1/telegram';
const NOW = 1_750_000_000;
// An Update as the Bot API documents it: JSON, update_id first.
const UPDATE =
  '{"update_id":912345678,"message":{"message_id":17,"from":{"id":42,"is_bot":false,"first_name":"Ada"},"chat":{"id":42,"type":"private"},"date":1749999999,"text":"/start"}}';

const source = (secrets: readonly string[] = [TOKEN]): SourceVerification => ({
  provider: 'telegram',
  secrets,
});
function verify(headers: Record<string, string>, body = UPDATE, secrets?: readonly string[]) {
  const request = webhookRequest({
    url: URL_,
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  });
  return telegram.verify({ request, source: source(secrets), nowSeconds: NOW });
}

describe('telegram', () => {
  it('accepts the configured secret token and reads update_id as the delivery id', () => {
    // Act
    const result = verify({ 'X-Telegram-Bot-Api-Secret-Token': TOKEN });
    // Assess
    expect(result).toEqual({
      ok: true,
      scheme: 'telegram-secret-token',
      secretIndex: 0,
      deliveryId: '912345678',
    });
  });

  it('rejects another token, one differing only in case, and a prefix of the right one', () => {
    for (const presented of ['someone-elses-token', TOKEN.toUpperCase(), TOKEN.slice(0, -1), `${TOKEN}x`]) {
      expect(verify({ 'X-Telegram-Bot-Api-Secret-Token': presented })).toEqual({
        ok: false,
        reason: 'token does not match',
      });
    }
  });

  it('accepts either token during a rotation, naming the one that matched', () => {
    expect(
      verify({ 'X-Telegram-Bot-Api-Secret-Token': OLD_TOKEN }, UPDATE, [TOKEN, OLD_TOKEN]),
    ).toMatchObject({
      ok: true,
      secretIndex: 1,
    });
  });

  it('binds nothing but the token: Telegram signs no body, so only dedupe on update_id stops a replay', () => {
    const altered = UPDATE.replace('/start', '/stop');
    expect(verify({ 'X-Telegram-Bot-Api-Secret-Token': TOKEN }, altered)).toMatchObject({
      ok: true,
      deliveryId: '912345678',
    });
  });

  it.each([
    ['not JSON', 'update_id=1'],
    ['a JSON array', '[{"update_id":1}]'],
    ['a fractional update_id', '{"update_id":1.5}'],
    ['no update_id', '{"message":{}}'],
  ])('verifies a body that is %s but reports no delivery id', (_, body) => {
    expect(verify({ 'X-Telegram-Bot-Api-Secret-Token': TOKEN }, body)).toEqual({
      ok: true,
      scheme: 'telegram-secret-token',
      secretIndex: 0,
    });
  });

  it.each([
    ['missing', {}, 'missing x-telegram-bot-api-secret-token header'],
    ['blank', { 'X-Telegram-Bot-Api-Secret-Token': '  ' }, 'empty x-telegram-bot-api-secret-token header'],
    [
      'duplicated',
      { 'X-Telegram-Bot-Api-Secret-Token': `${TOKEN}, ${TOKEN}` },
      'duplicated x-telegram-bot-api-secret-token header',
    ],
    [
      'with characters Telegram never uses',
      { 'X-Telegram-Bot-Api-Secret-Token': 'tok en!' },
      'malformed x-telegram-bot-api-secret-token header',
    ],
    [
      'longer than 256 characters',
      { 'X-Telegram-Bot-Api-Secret-Token': 'a'.repeat(257) },
      'malformed x-telegram-bot-api-secret-token header',
    ],
  ])('rejects a %s token header', (_, headers, reason) => {
    expect(verify(headers)).toEqual({ ok: false, reason });
  });

  it('never matches an empty configured token', () => {
    expect(verify({ 'X-Telegram-Bot-Api-Secret-Token': TOKEN }, UPDATE, [''])).toEqual({
      ok: false,
      reason: 'token does not match',
    });
  });

  it('never throws on random headers, URLs and bodies', () => {
    fc.assert(
      fc.property(arbitraryRequest(['x-telegram-bot-api-secret-token']), (request) => {
        expect(telegram.verify({ request, source: source(), nowSeconds: NOW }).ok).toBe(false);
      }),
    );
  });
});

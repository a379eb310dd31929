import { describe, expect, it } from 'vitest';
import { parseStandardWebhooksSecret } from '../../../../../lambdas/core/signatures/schemes/standardWebhooksScheme.ts';

describe('parseStandardWebhooksSecret', () => {
  it('reads whsec_, bare base64 and Supabase v1,whsec_ secrets as the same HMAC key', () => {
    const key = Buffer.from('0123456789abcdef0123456789abcdef');
    const b64 = key.toString('base64');

    for (const secret of [`whsec_${b64}`, b64, `v1,whsec_${b64}`]) {
      expect(parseStandardWebhooksSecret(secret)).toEqual({ kind: 'v1', key });
    }
  });

  it('reads a whpk_ public key of 32 bytes as Ed25519, and nothing else as one', () => {
    expect(parseStandardWebhooksSecret(`whpk_${Buffer.alloc(32, 7).toString('base64')}`)?.kind).toBe('v1a');
    expect(parseStandardWebhooksSecret(`whpk_${Buffer.alloc(31).toString('base64')}`)).toBeUndefined();
    expect(parseStandardWebhooksSecret('whsec_!!')).toBeUndefined();
  });
});

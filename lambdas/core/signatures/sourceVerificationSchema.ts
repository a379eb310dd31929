import * as z from 'zod';
import { compileSignedContent } from './schemes/signedContent.ts';
import { PROVIDER_IDS } from './types.ts';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headerName = z.string().regex(HEADER_NAME, 'must be an HTTP header name');

/** A generic HMAC definition, its template checked as `compileSignedContent` will read it. */
export const genericHmacDefinitionSchema = z
  .object({
    header: headerName,
    algorithm: z.enum(['sha256', 'sha1', 'sha512']),
    encoding: z.enum(['hex', 'base64']),
    prefix: z.string().max(64).optional(),
    template: z
      .string()
      .max(1024)
      .superRefine((template, ctx) => {
        try {
          compileSignedContent(template);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
        }
      })
      .optional(),
    timestampHeader: headerName.optional(),
    deliveryIdHeader: headerName.optional(),
  })
  .strict();

/**
 * How a source verifies, checked at every boundary that accepts one (management API, CLI, verifier):
 * a known provider, at least one non-empty secret, a generic definition exactly when the provider is
 * `generic`. Messages name the field, never a secret's value.
 */
export const sourceVerificationSchema = z
  .object({
    provider: z.enum(PROVIDER_IDS, {
      error: (issue) => `unknown provider ${JSON.stringify(issue.input)}; known: ${PROVIDER_IDS.join(', ')}`,
    }),
    secrets: z
      .array(z.string().min(1, 'a secret must not be empty').max(4096))
      .min(1, 'at least one secret is required')
      .max(10, 'at most 10 secrets at once'),
    verifyToken: z.string().min(1).max(1024).optional(),
    toleranceSeconds: z.number().int().positive().max(86_400).optional(),
    generic: genericHmacDefinitionSchema.optional(),
  })
  .strict()
  .superRefine((source, ctx) => {
    if (source.provider === 'generic' && source.generic === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['generic'],
        message: 'the generic provider needs a generic definition',
      });
    }
    if (source.provider !== 'generic' && source.generic !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['generic'],
        message: 'a generic definition needs provider "generic"',
      });
    }
  });

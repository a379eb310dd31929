import * as z from 'zod';
import { idSchema } from '../ids.ts';
import { PROVIDER_IDS } from '../signatures/types.ts';

export const genericHmacSchema = z
  .object({
    header: z
      .string()
      .min(1)
      .max(100)
      .transform((h) => h.toLowerCase()),
    algorithm: z.enum(['sha256', 'sha1', 'sha512']),
    encoding: z.enum(['hex', 'base64']),
    prefix: z.string().max(50).optional(),
    template: z.string().max(500).optional(),
    timestampHeader: z.string().max(100).optional(),
  })
  .strict();

/** Body of `PUT /v1/agents/{agentId}/sources/{sourceId}`. */
export const putSourceSchema = z
  .object({
    provider: z.enum(PROVIDER_IDS),
    secrets: z.array(z.string().min(1).max(4096)).min(1).max(5),
    verifyToken: z.string().min(1).max(512).optional(),
    toleranceSeconds: z
      .number()
      .int()
      .min(1)
      .max(24 * 3600)
      .optional(),
    generic: genericHmacSchema.optional(),
  })
  .strict()
  .refine((s) => s.provider !== 'generic' || s.generic !== undefined, {
    message: 'a generic source needs a "generic" definition (header, algorithm, encoding)',
    path: ['generic'],
  });
export type PutSourceInput = z.infer<typeof putSourceSchema>;

/** Body of `POST /v1/agents/{agentId}/sources/{sourceId}/rotate`. */
export const rotateSecretSchema = z
  .object({
    secret: z.string().min(1).max(4096),
    /** Keep the previous secrets valid while the provider switches over (default true). */
    keepPrevious: z.boolean().default(true),
  })
  .strict();

export const routeIdsSchema = z.object({ agentId: idSchema, sourceId: idSchema });

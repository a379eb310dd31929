import * as z from 'zod';
import { USAGE_PROVIDER_IDS } from '../usage/SpendReport.ts';

/** Body of `POST /v1/keys`. */
export const addKeySchema = z
  .object({
    provider: z.enum(USAGE_PROVIDER_IDS),
    label: z.string().trim().min(1).max(100),
    key: z.string().min(1).max(512),
    /** A proxy or the simulated provider; https, or http on loopback only (checked by the clients). */
    baseUrl: z.string().min(1).max(300).optional(),
  })
  .strict();
export type AddKeyInput = z.infer<typeof addKeySchema>;

/** Body of `PUT /v1/keys/{keyId}`: the new key, and optionally a new label. */
export const rotateKeySchema = z
  .object({
    key: z.string().min(1).max(512),
    label: z.string().trim().min(1).max(100).optional(),
  })
  .strict();
export type RotateKeyInput = z.infer<typeof rotateKeySchema>;

import * as z from 'zod';
import { idSchema } from '../ids.ts';

/**
 * `POST /v1/register` — the agent's first call, authorised only by a one-time registration token.
 * The agent generated both key pairs locally; only public material travels.
 */
export const registrationRequestSchema = z
  .object({
    token: z.string().min(16).max(200),
    /** PKCS#10 CSR (PEM) for the agent's ECDSA P-256 TLS key. */
    csrPem: z
      .string()
      .min(1)
      .max(8 * 1024),
    /** The agent's X25519 sealing public key, 32 bytes, base64url. */
    sealingPublicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes, base64url'),
    /** A label for humans (hostname); not an identity. */
    hostname: z.string().max(255).optional(),
  })
  .strict();
export type RegistrationRequest = z.infer<typeof registrationRequestSchema>;

/** Where and how the agent connects its outbound tunnel. */
export const tunnelEndpointSchema = z
  .object({
    /** Host name or address of the MQTT broker (IoT Core's ATS endpoint, or the local edge). */
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535),
    /** TLS server name (SNI); IoT Core requires it. */
    serverName: z.string().min(1).max(255),
    /** ALPN protocol, e.g. `x-amzn-mqtt-ca` for IoT Core on port 443. */
    alpn: z.string().max(64).optional(),
    /** PEM of the CA that signs the broker's server certificate. */
    serverCaPem: z.string().min(1),
  })
  .strict();
export type TunnelEndpoint = z.infer<typeof tunnelEndpointSchema>;

export const registrationResponseSchema = z
  .object({
    agentId: idSchema,
    certificatePem: z.string().min(1),
    /** The issuing CA chain of the agent certificate. */
    caChainPem: z.string().min(1),
    notAfter: z.number().int(),
    tunnel: tunnelEndpointSchema,
    /** Webhook URLs end in `{webhookBaseUrl}/{agentId}/{sourceId}`. */
    webhookBaseUrl: z.string().url(),
  })
  .strict();
export type RegistrationResponse = z.infer<typeof registrationResponseSchema>;

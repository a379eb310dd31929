import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import JSON5 from 'json5';
import * as z from 'zod';
import { BadRequestError } from '../../lambdas/core/errors.ts';
import { zodMessage } from '../../lambdas/core/registration/zodMessage.ts';

/** OpenClaw's gateway port when its config does not set one. */
export const OPENCLAW_DEFAULT_PORT = 18789;

/**
 * The part of OpenClaw's `openclaw.json` that ClawPulsar reads: the gateway's port and auth token, and the
 * HTTP hooks (enabled, token, base path, mappings). Every other field, and any field OpenClaw adds later,
 * is accepted and ignored; a field we read with the wrong type is refused by name.
 */
export const openClawConfigSchema = z.looseObject({
  gateway: z
    .looseObject({
      port: z.number().int().min(1).max(65535).optional(),
      auth: z
        .looseObject({
          mode: z.string().optional(),
          token: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  hooks: z
    .looseObject({
      enabled: z.boolean().optional(),
      token: z.string().optional(),
      path: z.string().optional(),
      mappings: z
        .array(
          z.looseObject({
            id: z.string().optional(),
            match: z.looseObject({ path: z.string().optional(), source: z.string().optional() }).optional(),
            action: z.string().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});
export type OpenClawConfig = z.infer<typeof openClawConfigSchema>;

/**
 * Where OpenClaw keeps its config: `--openclaw-config`, else `OPENCLAW_CONFIG_PATH`, else
 * `~/.openclaw/openclaw.json`.
 */
export function openClawConfigPath(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag ?? env.OPENCLAW_CONFIG_PATH;
  return resolve(chosen && chosen.length > 0 ? chosen : join(homedir(), '.openclaw', 'openclaw.json'));
}

/**
 * Reads OpenClaw's config (JSON5: comments and trailing commas allowed), read-only: ClawPulsar never
 * writes OpenClaw's files. Returns undefined when there is no such file. Errors: `openclaw_config_invalid`
 * (not JSON5, or a field we read has the wrong type; the message names the field, never a value).
 *
 * @example
 * const config = readOpenClawConfig(openClawConfigPath());
 */
export function readOpenClawConfig(path: string): OpenClawConfig | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON5.parse(text);
  } catch (cause) {
    const at = cause instanceof SyntaxError ? /at (\d+:\d+)/.exec(cause.message)?.[1] : undefined;
    throw new BadRequestError(
      'openclaw_config_invalid',
      `${path} is not valid JSON5${at ? ` (at ${at})` : ''}; \`openclaw config validate\` shows what is wrong`,
      { path },
    );
  }
  const parsed = openClawConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new BadRequestError('openclaw_config_invalid', `${path}: ${zodMessage(parsed.error)}`, { path });
  }
  return parsed.data;
}

import { readFileSync } from 'node:fs';
import { BadRequestError, ClawPulsarError } from '../../lambdas/core/errors.ts';
import { zodMessage } from '../../lambdas/core/registration/zodMessage.ts';
import type { AgentPaths } from '../home/agentPaths.ts';
import { writePrivateFile } from '../home/writePrivateFile.ts';
import { type AgentConfig, agentConfigSchema } from './agentConfig.ts';

/**
 * Reads and validates `config.json`. Errors: `not_registered` (no file), `config_invalid` (names the
 * first bad field; never echoes values, which may be bearer tokens).
 *
 * @example
 * const config = readAgentConfig(agentPaths(dir));
 */
export function readAgentConfig(paths: AgentPaths): AgentConfig {
  let text: string;
  try {
    text = readFileSync(paths.config, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ClawPulsarError(
        'not_registered',
        `No agent is registered in ${paths.dir}: run \`clawpulsar agent register --edge URL --token T\` first`,
        400,
        { dir: paths.dir },
      );
    }
    throw cause;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BadRequestError('config_invalid', `${paths.config} is not valid JSON`);
  }
  const parsed = agentConfigSchema.safeParse(json);
  if (!parsed.success)
    throw new BadRequestError('config_invalid', `${paths.config}: ${zodMessage(parsed.error)}`);
  return parsed.data;
}

/** Validates and writes `config.json` (0600, atomically). */
export function writeAgentConfig(paths: AgentPaths, config: AgentConfig): void {
  writePrivateFile(paths.config, `${JSON.stringify(agentConfigSchema.parse(config), null, 2)}\n`);
}

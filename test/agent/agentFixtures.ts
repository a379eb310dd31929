import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentConfig } from '../../agent/config/agentConfig.ts';
import { readAgentConfig, writeAgentConfig } from '../../agent/config/agentConfigFile.ts';
import { agentPaths } from '../../agent/home/agentPaths.ts';
import { registerWithEdge } from '../../agent/registration/registerWithEdge.ts';
import type { SealedRequest } from '../../lambdas/core/envelope/index.ts';
import type { TestEdge } from '../support/testEdge.ts';

/** A fresh, empty agent home under the system temp dir. */
export function tempAgentDir(): { dir: string; remove: () => void } {
  const parent = mkdtempSync(join(tmpdir(), 'clawpulsar-agent-'));
  return { dir: join(parent, 'agent'), remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/** Registers `agentId` with the test edge into `dir` and applies `edit` to its config. */
export async function registeredAgent(
  edge: TestEdge,
  dir: string,
  agentId: string,
  edit: (config: AgentConfig) => AgentConfig = (c) => c,
): Promise<AgentConfig> {
  await registerWithEdge({ dir, edgeUrl: edge.url, token: edge.issueToken(agentId) });
  const paths = agentPaths(dir);
  const config = edit(readAgentConfig(paths));
  writeAgentConfig(paths, config);
  return config;
}

/** A GitHub-style webhook as the ingress seals it: lower-case headers, raw body bytes. */
export function githubRequest(body: Uint8Array, overrides: Partial<SealedRequest> = {}): SealedRequest {
  return {
    method: 'POST',
    path: '/v1/hooks/laptop/github',
    query: '',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'issues',
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'x-hub-signature-256': 'sha256=0000000000000000000000000000000000000000000000000000000000000000',
      'user-agent': 'GitHub-Hookshot/044aadd',
    },
    body,
    ...overrides,
  };
}

/**
 * One entry point for every supported provider: which clients it has (spend history, balance), what key
 * it needs and where its API lives by default.
 */
import { BadRequestError } from '../errors.ts';
import { ANTHROPIC_DEFAULT_BASE_URL, ANTHROPIC_KEY_REQUIREMENT, anthropicClient } from './anthropicClient.ts';
import { DEEPSEEK_DEFAULT_BASE_URL, DEEPSEEK_KEY_REQUIREMENT, deepseekClient } from './deepseekClient.ts';
import type { HttpClient } from './HttpClient.ts';
import { OPENAI_DEFAULT_BASE_URL, OPENAI_KEY_REQUIREMENT, openaiClient } from './openaiClient.ts';
import {
  OPENROUTER_DEFAULT_BASE_URL,
  OPENROUTER_KEY_REQUIREMENT,
  openrouterClient,
} from './openrouterClient.ts';
import type { BalanceClient, SpendClient, UsageProviderId } from './SpendReport.ts';
import { USAGE_PROVIDER_IDS } from './SpendReport.ts';
import { VERCEL_DEFAULT_BASE_URL, VERCEL_KEY_REQUIREMENT, vercelClient } from './vercelClient.ts';

export interface UsageClientConfig {
  readonly provider: UsageProviderId;
  /** The provider key. Held by the clients' closures only. */
  readonly key: string;
  readonly http: HttpClient;
  readonly baseUrl?: string;
}

export interface UsageClients {
  readonly provider: UsageProviderId;
  /** Present when the provider publishes spend per day. */
  readonly spend?: SpendClient;
  /** Present when the provider publishes a balance or lifetime spend. */
  readonly balance?: BalanceClient;
}

export interface UsageProviderInfo {
  readonly name: string;
  readonly defaultBaseUrl: string;
  readonly keyRequirement: string;
}

export const USAGE_PROVIDERS: Readonly<Record<UsageProviderId, UsageProviderInfo>> = {
  openai: { name: 'OpenAI', defaultBaseUrl: OPENAI_DEFAULT_BASE_URL, keyRequirement: OPENAI_KEY_REQUIREMENT },
  anthropic: {
    name: 'Anthropic',
    defaultBaseUrl: ANTHROPIC_DEFAULT_BASE_URL,
    keyRequirement: ANTHROPIC_KEY_REQUIREMENT,
  },
  openrouter: {
    name: 'OpenRouter',
    defaultBaseUrl: OPENROUTER_DEFAULT_BASE_URL,
    keyRequirement: OPENROUTER_KEY_REQUIREMENT,
  },
  deepseek: {
    name: 'DeepSeek',
    defaultBaseUrl: DEEPSEEK_DEFAULT_BASE_URL,
    keyRequirement: DEEPSEEK_KEY_REQUIREMENT,
  },
  vercel: {
    name: 'Vercel AI Gateway',
    defaultBaseUrl: VERCEL_DEFAULT_BASE_URL,
    keyRequirement: VERCEL_KEY_REQUIREMENT,
  },
};

/** True when `value` names a supported provider. */
export function isUsageProviderId(value: string): value is UsageProviderId {
  return (USAGE_PROVIDER_IDS as readonly string[]).includes(value);
}

/**
 * Creates the usage clients of `config.provider`.
 *
 * @example
 * const { spend } = createUsageClient({ provider: 'anthropic', key, http: fetchHttpClient() });
 */
export function createUsageClient(config: UsageClientConfig): UsageClients {
  const { key, http, baseUrl } = config;
  if (key.trim() === '') throw new BadRequestError('missing_key', 'The provider key is empty');
  switch (config.provider) {
    case 'openai':
      return { provider: 'openai', spend: openaiClient({ adminKey: key, http, baseUrl }) };
    case 'anthropic':
      return { provider: 'anthropic', spend: anthropicClient({ adminKey: key, http, baseUrl }) };
    case 'openrouter': {
      const client = openrouterClient({ managementKey: key, http, baseUrl });
      return { provider: 'openrouter', spend: client, balance: client };
    }
    case 'deepseek':
      return { provider: 'deepseek', balance: deepseekClient({ apiKey: key, http, baseUrl }) };
    case 'vercel':
      return { provider: 'vercel', balance: vercelClient({ apiKey: key, http, baseUrl }) };
  }
}

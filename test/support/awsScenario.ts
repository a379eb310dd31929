import {
  generateSealingKeyPair,
  type SealingKeyPair,
  sealingKeyToBase64url,
} from '../../lambdas/core/envelope/index.ts';
import { customResourceEvent, httpApiEvent } from './awsEvents.ts';
import type { AwsHarness } from './awsHarness.ts';
import { certificateIdOf } from './FakeIotRegistry.ts';
import { CA_KEY_ARN } from './FakeKms.ts';
import type { OpenSslWorkspace } from './openssl.ts';

/** The handlers as tests call them: a Lambda handler with a context nobody reads. */
// biome-ignore lint/suspicious/noExplicitAny: handlers' event and result types differ per handler.
export type LambdaHandler = (event: any, context: never) => Promise<any>;

const context = {} as never;

export interface RegisteredAgent {
  readonly agentId: string;
  readonly certificatePem: string;
  /** IoT Core's id of the agent's certificate (what lifecycle events call principalIdentifier). */
  readonly certificateId: string;
  readonly sealing: SealingKeyPair;
  /** The workspace file name of the agent's TLS key and CSR. */
  readonly keyName: string;
}

/**
 * Steps an operator and an agent take, through the real handlers: the CA custom resource, a token from
 * the management API, registration, a source. Import after startAwsHarness (the handlers read env).
 *
 * @example
 * const scenario = await awsScenario(aws, ssl);
 * const agent = await scenario.registerAgent('laptop');
 */
export async function awsScenario(aws: AwsHarness, ssl: OpenSslWorkspace) {
  const caBootstrap = (await import('../../lambdas/handlers/caBootstrap.ts')).handler as LambdaHandler;
  const management = (await import('../../lambdas/handlers/management.ts')).handler as LambdaHandler;
  const register = (await import('../../lambdas/handlers/register.ts')).handler as LambdaHandler;
  let sequence = 0;

  const api = async (method: string, rawPath: string, body?: unknown, rawQueryString = '') => {
    const result = await management(
      httpApiEvent({
        method,
        rawPath,
        rawQueryString,
        routeKey: 'ANY /v1/{proxy+}',
        iamUserArn: 'arn:aws:iam::111122223333:user/operator',
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      }),
      context,
    );
    return { statusCode: result.statusCode as number, body: JSON.parse(result.body) };
  };

  return {
    api,
    /** Runs the CA custom resource's Create once; later calls are no-ops. */
    async bootstrapCa(): Promise<void> {
      if (aws.iot.cas.size === 0)
        await caBootstrap(customResourceEvent('Create', { CaSigningKeyArn: CA_KEY_ARN }), context);
    },
    async token(agentId: string): Promise<string> {
      const created = await api('POST', '/v1/tokens', { agentId });
      if (created.statusCode !== 201) throw new Error(`token: ${created.statusCode}`);
      return created.body.token;
    },
    async registerAgent(agentId: string): Promise<RegisteredAgent> {
      await this.bootstrapCa();
      const token = await this.token(agentId);
      const sealing = generateSealingKeyPair();
      const keyName = `${agentId}-${++sequence}`;
      const result = await register(
        httpApiEvent({
          method: 'POST',
          rawPath: '/v1/register',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            token,
            csrPem: ssl.csr(keyName),
            sealingPublicKey: sealingKeyToBase64url(sealing.publicKey),
          }),
        }),
        context,
      );
      if (result.statusCode !== 201) throw new Error(`register: ${result.statusCode} ${result.body}`);
      const { certificatePem } = JSON.parse(result.body);
      return { agentId, certificatePem, certificateId: certificateIdOf(certificatePem), sealing, keyName };
    },
    async addSource(agentId: string, sourceId: string, source: Record<string, unknown>): Promise<void> {
      const put = await api('PUT', `/v1/agents/${agentId}/sources/${sourceId}`, source);
      if (put.statusCode !== 200) throw new Error(`source: ${put.statusCode} ${JSON.stringify(put.body)}`);
    },
  };
}

import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { ClawPulsarError } from '../../core/errors.ts';
import { av } from './dynamoItem.ts';

/** The issuing CA as the CA bootstrap stored it. All public. */
export const issuingCaSchema = z.object({
  certificatePem: z.string().startsWith('-----BEGIN CERTIFICATE-----'),
  caCertificateId: z.string().min(1),
  caCertificateArn: z.string().min(1),
  signingKeyArn: z.string().min(1),
});
export type IssuingCa = z.infer<typeof issuingCaSchema>;

/** The config item holding the issuing CA. */
export const ISSUING_CA = 'issuing-ca';

/**
 * Deployment configuration written by custom resources (table `config`, key `name`, value a JSON
 * document validated on read). Holds public material only.
 *
 * @example
 * const ca = await new DynamoConfigStore(dynamo, env.CONFIG_TABLE).getIssuingCa();
 */
export class DynamoConfigStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#table = tableName;
  }

  /** The issuing CA, or undefined before the CA bootstrap ran. */
  async findIssuingCa(): Promise<IssuingCa | undefined> {
    const { Item: item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: { name: av.s(ISSUING_CA) }, ConsistentRead: true }),
    );
    const value = item?.value?.S;
    if (value === undefined) return undefined;
    const parsed = issuingCaSchema.safeParse(JSON.parse(value));
    if (!parsed.success)
      throw new ClawPulsarError('corrupt_record', 'The stored issuing CA is malformed', 500);
    return parsed.data;
  }

  /** The issuing CA; 500 `ca_not_bootstrapped` when the deployment has none yet. */
  async getIssuingCa(): Promise<IssuingCa> {
    const ca = await this.findIssuingCa();
    if (!ca) throw new ClawPulsarError('ca_not_bootstrapped', 'The issuing CA has not been created yet', 500);
    return ca;
  }

  async putIssuingCa(ca: IssuingCa): Promise<void> {
    await this.#client.send(
      new PutItemCommand({
        TableName: this.#table,
        Item: { name: av.s(ISSUING_CA), value: av.s(JSON.stringify(issuingCaSchema.parse(ca))) },
      }),
    );
  }

  async deleteIssuingCa(): Promise<void> {
    await this.#client.send(
      new DeleteItemCommand({ TableName: this.#table, Key: { name: av.s(ISSUING_CA) } }),
    );
  }
}

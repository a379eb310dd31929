import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateThingCommand,
  DeleteCACertificateCommand,
  DeleteCertificateCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  IoTClient,
  RegisterCACertificateCommand,
  RegisterCertificateCommand,
  UpdateCACertificateCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { DeleteConnectionCommand, IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import {
  DecryptCommand,
  EncryptCommand,
  GetPublicKeyCommand,
  KMSClient,
  SignCommand,
} from '@aws-sdk/client-kms';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import {
  ENVELOPE_QUEUE_RETENTION_SECONDS,
  ENVELOPE_QUEUE_VISIBILITY_SECONDS,
} from '../../lambdas/adapters/aws/queueSettings.ts';
import { FakeIotDataPlane } from './FakeIotDataPlane.ts';
import { FakeIotRegistry } from './FakeIotRegistry.ts';
import { CA_KEY_ARN, DATA_KEY_ARN, FakeKms } from './FakeKms.ts';
import { FakeS3 } from './FakeS3.ts';
import { FakeSqs } from './FakeSqs.ts';
import { LOCAL_AWS, type LocalDynamo, startLocalDynamo } from './localDynamo.ts';

export const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111122223333/clawpulsar-envelopes';
export const BUCKET = 'clawpulsar-envelopes-111122223333';
export const IOT_ENDPOINT = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';
export const POLICY_NAME = 'clawpulsar-agent';
export const PUBLIC_BASE_URL = 'https://hooks.example.com';

/** Names of the Lambda environment variables the harness sets. */
export type HarnessEnv = Record<
  | 'AWS_REGION'
  | 'AWS_ACCESS_KEY_ID'
  | 'AWS_SECRET_ACCESS_KEY'
  | 'AWS_ENDPOINT_URL_DYNAMODB'
  | 'AGENTS_TABLE'
  | 'CERTIFICATES_TABLE'
  | 'SOURCES_TABLE'
  | 'REGISTRATION_TOKENS_TABLE'
  | 'DEDUPE_TABLE'
  | 'DELIVERY_LOG_TABLE'
  | 'PRESENCE_TABLE'
  | 'IN_FLIGHT_TABLE'
  | 'CONFIG_TABLE'
  | 'ENVELOPE_QUEUE_URL'
  | 'ENVELOPE_BUCKET'
  | 'DATA_KEY_ARN'
  | 'CA_SIGNING_KEY_ARN'
  | 'IOT_ENDPOINT'
  | 'IOT_POLICY_NAME'
  | 'PUBLIC_BASE_URL',
  string
>;

export interface AwsHarness {
  readonly dynamo: LocalDynamo;
  readonly sqs: FakeSqs;
  readonly iotData: FakeIotDataPlane;
  readonly iot: FakeIotRegistry;
  readonly kms: FakeKms;
  readonly s3: FakeS3;
  readonly mocks: {
    readonly sqs: AwsClientStub<SQSClient>;
    readonly iotData: AwsClientStub<IoTDataPlaneClient>;
    readonly iot: AwsClientStub<IoTClient>;
    readonly kms: AwsClientStub<KMSClient>;
    readonly s3: AwsClientStub<S3Client>;
  };
  /** The Lambda environment every handler gets (the union of env.ts's schemas). */
  readonly env: Readonly<HarnessEnv>;
  close(): Promise<void>;
}

/**
 * Everything the AWS handlers talk to, in process: DynamoDB is dynalite with the real table definitions
 * (reached through AWS_ENDPOINT_URL_DYNAMODB, as an SDK client configured by environment would be); SQS,
 * S3, KMS and IoT Core are the fakes in this folder, wired in at the SDK's `send`, so the adapters and
 * handlers run unchanged. Sets process.env: import the handlers after this.
 *
 * @example
 * const aws = await startAwsHarness();
 * const { handler } = await import('../../lambdas/handlers/ingress.ts');
 */
export async function startAwsHarness(
  options: { readonly maxMessageBytes?: number } = {},
): Promise<AwsHarness> {
  const dynamo = await startLocalDynamo();
  const sqs = new FakeSqs({
    retentionSeconds: ENVELOPE_QUEUE_RETENTION_SECONDS,
    visibilitySeconds: ENVELOPE_QUEUE_VISIBILITY_SECONDS,
    ...(options.maxMessageBytes !== undefined ? { maxMessageBytes: options.maxMessageBytes } : {}),
  });
  const iotData = new FakeIotDataPlane();
  const iot = new FakeIotRegistry();
  const kms = new FakeKms();
  const s3 = new FakeS3();

  const mocks = {
    sqs: mockClient(SQSClient),
    iotData: mockClient(IoTDataPlaneClient),
    iot: mockClient(IoTClient),
    kms: mockClient(KMSClient),
    s3: mockClient(S3Client),
  };
  wire(mocks, { sqs, iotData, iot, kms, s3 });

  const env = {
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AGENTS_TABLE: dynamo.tables.agents,
    CERTIFICATES_TABLE: dynamo.tables.certificates,
    SOURCES_TABLE: dynamo.tables.sources,
    REGISTRATION_TOKENS_TABLE: dynamo.tables.registrationTokens,
    DEDUPE_TABLE: dynamo.tables.dedupe,
    DELIVERY_LOG_TABLE: dynamo.tables.deliveryLog,
    PRESENCE_TABLE: dynamo.tables.presence,
    IN_FLIGHT_TABLE: dynamo.tables.inFlight,
    CONFIG_TABLE: dynamo.tables.config,
    ENVELOPE_QUEUE_URL: QUEUE_URL,
    ENVELOPE_BUCKET: BUCKET,
    DATA_KEY_ARN,
    CA_SIGNING_KEY_ARN: CA_KEY_ARN,
    IOT_ENDPOINT,
    IOT_POLICY_NAME: POLICY_NAME,
    PUBLIC_BASE_URL,
  } satisfies Record<string, string>;
  Object.assign(process.env, env);

  return {
    dynamo,
    sqs,
    iotData,
    iot,
    kms,
    s3,
    mocks,
    env,
    async close() {
      for (const mock of Object.values(mocks)) mock.restore();
      kms.close();
      await dynamo.close();
    },
  };
}

/** Routes each SDK command to the fake that plays its service (throws become rejections, as over HTTP). */
export function wire(
  mocks: AwsHarness['mocks'],
  fakes: { sqs: FakeSqs; iotData: FakeIotDataPlane; iot: FakeIotRegistry; kms: FakeKms; s3: FakeS3 },
): void {
  const call =
    <I, O>(fn: (input: I) => O) =>
    async (input: I) =>
      fn(input);
  mocks.sqs.on(SendMessageCommand).callsFake(call((i) => fakes.sqs.sendMessage(i)));
  mocks.sqs.on(ChangeMessageVisibilityCommand).callsFake(call((i) => fakes.sqs.changeMessageVisibility(i)));
  mocks.sqs
    .on(ChangeMessageVisibilityBatchCommand)
    .callsFake(call((i) => fakes.sqs.changeMessageVisibilityBatch(i)));
  mocks.sqs.on(DeleteMessageCommand).callsFake(call((i) => fakes.sqs.deleteMessage(i)));
  mocks.iotData.on(PublishCommand).callsFake(call((i) => fakes.iotData.publish(i)));
  mocks.iotData.on(DeleteConnectionCommand).callsFake(call((i) => fakes.iotData.deleteConnection(i)));
  mocks.iot.on(RegisterCACertificateCommand).callsFake(call((i) => fakes.iot.registerCACertificate(i)));
  mocks.iot.on(UpdateCACertificateCommand).callsFake(call((i) => fakes.iot.updateCACertificate(i)));
  mocks.iot.on(DeleteCACertificateCommand).callsFake(call((i) => fakes.iot.deleteCACertificate(i)));
  mocks.iot.on(RegisterCertificateCommand).callsFake(call((i) => fakes.iot.registerCertificate(i)));
  mocks.iot.on(CreateThingCommand).callsFake(call((i) => fakes.iot.createThing(i)));
  mocks.iot.on(AttachPolicyCommand).callsFake(call((i) => fakes.iot.attachPolicy(i)));
  mocks.iot.on(AttachThingPrincipalCommand).callsFake(call((i) => fakes.iot.attachThingPrincipal(i)));
  mocks.iot.on(UpdateCertificateCommand).callsFake(call((i) => fakes.iot.updateCertificate(i)));
  mocks.iot.on(DetachThingPrincipalCommand).callsFake(call((i) => fakes.iot.detachThingPrincipal(i)));
  mocks.iot.on(DetachPolicyCommand).callsFake(call((i) => fakes.iot.detachPolicy(i)));
  mocks.iot.on(DeleteCertificateCommand).callsFake(call((i) => fakes.iot.deleteCertificate(i)));
  mocks.kms.on(EncryptCommand).callsFake(call((i) => fakes.kms.encrypt(i)));
  mocks.kms.on(DecryptCommand).callsFake(call((i) => fakes.kms.decrypt(i)));
  mocks.kms.on(GetPublicKeyCommand).callsFake(call((i) => fakes.kms.getPublicKey(i)));
  mocks.kms.on(SignCommand).callsFake(call((i) => fakes.kms.sign(i)));
  mocks.s3.on(PutObjectCommand).callsFake(call((i) => fakes.s3.putObject(i)));
  mocks.s3.on(GetObjectCommand).callsFake(call((i) => fakes.s3.getObject(i)));
  mocks.s3.on(DeleteObjectCommand).callsFake(call((i) => fakes.s3.deleteObject(i)));
}

import { Aws, Duration, Lazy, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface KeysConstructProps {
  /** Days a deleted key waits before KMS destroys it (7–30). */
  readonly deletionWindowDays: number;
}

/** What a key's administrators (the account, through IAM) may do: manage, never use. */
const ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];

/** The only signing request the CA makes: an ECDSA P-256 signature over a SHA-256 digest it computed. */
export const CA_SIGNING_ALGORITHM = 'ECDSA_SHA_256';

/**
 * The stack's two KMS keys.
 *
 * - `dataKey`: symmetric, customer managed, yearly rotation. It encrypts the queue, the claim-check bucket,
 *   the tables, the log groups and the alerts topic, and it is the key custody of source secrets (direct
 *   `Encrypt`/`Decrypt` with an encryption context of ids).
 * - `caKey`: ECC_NIST_P256 SIGN_VERIFY, the issuing CA's private key. It never leaves KMS.
 *
 * Both key policies keep administration with the account (so the keys can't be locked out) but not use:
 * only the roles registered here may encrypt, decrypt or sign, and each role's own IAM policy narrows
 * that further (encryption context, via-service, signing algorithm). A principal with `kms:*` in IAM and
 * no registration here still can't decrypt a source secret or sign a certificate.
 */
export class KeysConstruct extends Construct {
  readonly dataKey: kms.Key;
  readonly caKey: kms.Key;
  readonly #dataKeyUsers: iam.IRole[] = [];
  readonly #caSigners: iam.IRole[] = [];

  constructor(scope: Construct, id: string, props: KeysConstructProps) {
    super(scope, id);
    const account = new iam.AccountRootPrincipal();
    const pendingWindow = Duration.days(props.deletionWindowDays);
    const roleArns = (roles: iam.IRole[]) => Lazy.list({ produce: () => roles.map((role) => role.roleArn) });

    this.dataKey = new kms.Key(this, 'DataKey', {
      description: 'ClawPulsar data key: queue, claim checks, tables, logs, alerts and source secrets',
      enableKeyRotation: true,
      pendingWindow,
      removalPolicy: RemovalPolicy.DESTROY,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'KeyAdministration',
            principals: [account],
            actions: ADMIN_ACTIONS,
            resources: ['*'],
          }),
          // Tables are encrypted with this key: CloudFormation and the functions reach it through DynamoDB,
          // which only ever hands back table items (source secrets inside them are a second, direct layer).
          new iam.PolicyStatement({
            sid: 'UseThroughDynamoDB',
            principals: [account],
            actions: [
              'kms:Encrypt',
              'kms:Decrypt',
              'kms:ReEncryptFrom',
              'kms:ReEncryptTo',
              'kms:GenerateDataKey',
              'kms:GenerateDataKeyWithoutPlaintext',
            ],
            resources: ['*'],
            conditions: {
              StringEquals: {
                'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com`,
                'kms:CallerAccount': Aws.ACCOUNT_ID,
              },
            },
          }),
          new iam.PolicyStatement({
            sid: 'UseByStackFunctionsOnly',
            principals: [account],
            actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
            resources: ['*'],
            conditions: { ArnEquals: { 'aws:PrincipalArn': roleArns(this.#dataKeyUsers) } },
          }),
          new iam.PolicyStatement({
            sid: 'CloudWatchLogsEncryption',
            principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
            actions: [
              'kms:Encrypt*',
              'kms:Decrypt*',
              'kms:ReEncrypt*',
              'kms:GenerateDataKey*',
              'kms:Describe*',
            ],
            resources: ['*'],
            conditions: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
              },
            },
          }),
          // CloudWatch alarms publish to the encrypted alerts topic.
          new iam.PolicyStatement({
            sid: 'CloudWatchAlarmsToEncryptedTopic',
            principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
            actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            resources: ['*'],
          }),
        ],
      }),
    });

    this.caKey = new kms.Key(this, 'CaSigningKey', {
      description: 'ClawPulsar issuing CA private key (ECC P-256, sign only); never leaves KMS',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      // KMS can't rotate asymmetric keys; a new CA means a new key and a new CA registration.
      enableKeyRotation: false,
      pendingWindow,
      removalPolicy: RemovalPolicy.DESTROY,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'KeyAdministration',
            principals: [account],
            actions: ADMIN_ACTIONS,
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'SignCertificatesOnly',
            principals: [account],
            actions: ['kms:Sign'],
            resources: ['*'],
            conditions: {
              ArnEquals: { 'aws:PrincipalArn': roleArns(this.#caSigners) },
              StringEquals: { 'kms:SigningAlgorithm': CA_SIGNING_ALGORITHM, 'kms:MessageType': 'DIGEST' },
            },
          }),
        ],
      }),
    });
  }

  /**
   * Lets `role` use the data key at all (the key policy names it). What it may do is still up to the
   * role's own IAM policy.
   */
  allowDataKeyUse(role: iam.IRole): void {
    if (!this.#dataKeyUsers.includes(role)) this.#dataKeyUsers.push(role);
  }

  /** Lets `role` sign with the CA key (digest, ECDSA_SHA_256), still subject to its own IAM policy. */
  allowCaSigning(role: iam.IRole): void {
    if (!this.#caSigners.includes(role)) this.#caSigners.push(role);
  }
}

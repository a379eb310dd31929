import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ClawPulsarConfig } from './ClawPulsarConfig.ts';
import { BudgetsConstruct } from './constructs/BudgetsConstruct.ts';
import type { FunctionSettings } from './constructs/HandlerFunction.ts';
import { IdentityConstruct } from './constructs/IdentityConstruct.ts';
import { IotEndpointConstruct } from './constructs/IotEndpointConstruct.ts';
import { KeysConstruct } from './constructs/KeysConstruct.ts';
import { ManagementConstruct } from './constructs/ManagementConstruct.ts';
import { OperationsConstruct } from './constructs/OperationsConstruct.ts';
import { RelayConstruct } from './constructs/RelayConstruct.ts';
import { StorageConstruct } from './constructs/StorageConstruct.ts';
import { STACK_OUTPUTS } from './stackOutputs.ts';

export interface ClawPulsarStackProps extends StackProps {
  readonly config: ClawPulsarConfig;
}

/**
 * ClawPulsar in the user's own AWS account: keys, tables, the relay (HTTP API, ingress, envelope queue,
 * dispatcher), agent identity over IoT Core, management behind IAM, the budget monitor, and the alerts topic. The stack is
 * environment-agnostic (no account or region at synth time, no lookups), so it synthesizes offline.
 */
export class ClawPulsarStack extends Stack {
  readonly keys: KeysConstruct;
  readonly storage: StorageConstruct;
  readonly operations: OperationsConstruct;
  readonly relay: RelayConstruct;
  readonly identity: IdentityConstruct;
  readonly management: ManagementConstruct;
  readonly budgets: BudgetsConstruct;

  constructor(scope: Construct, id: string, props: ClawPulsarStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.keys = new KeysConstruct(this, 'Keys', { deletionWindowDays: config.keyDeletionWindowDays });
    const dataKey = this.keys.dataKey;
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    const settings: FunctionSettings = {
      keys: this.keys,
      logRetention,
      tracing: config.tracing,
      reserveConcurrency: config.reservedConcurrency,
    };

    this.storage = new StorageConstruct(this, 'Storage', { dataKey });
    this.operations = new OperationsConstruct(this, 'Operations', { dataKey, alertEmail: config.alertEmail });
    const iotEndpoint = new IotEndpointConstruct(this, 'IotEndpointLookup', { dataKey, logRetention })
      .endpointAddress;
    const tables = this.storage.tables;

    this.relay = new RelayConstruct(this, 'Relay', {
      settings,
      tables,
      operations: this.operations,
      iotEndpoint,
      throttle: { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit },
      customDomain:
        config.domainName && config.certificateArn
          ? { domainName: config.domainName, certificateArn: config.certificateArn }
          : undefined,
    });
    this.identity = new IdentityConstruct(this, 'Identity', {
      settings,
      tables,
      relay: this.relay,
      operations: this.operations,
      iotEndpoint,
    });
    this.management = new ManagementConstruct(this, 'Management', {
      settings,
      tables,
      relay: this.relay,
      iotEndpoint,
    });

    this.budgets = new BudgetsConstruct(this, 'Budgets', {
      settings,
      agentsTable: tables.agents,
      operations: this.operations,
      alertsTopic: this.operations.alertsTopic,
      iotEndpoint,
      pollMinutes: config.budgetPollMinutes,
      management: this.management.management,
    });

    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    output(STACK_OUTPUTS.webhookBaseUrl, `${this.relay.publicBaseUrl}/v1/hooks`, 'Base of every source URL');
    output(
      STACK_OUTPUTS.registrationUrl,
      `${this.relay.publicBaseUrl}/v1/register`,
      'Agent registration URL',
    );
    output(
      STACK_OUTPUTS.managementApiUrl,
      `${this.relay.apiEndpoint}/v1`,
      'Management API (SigV4, execute-api) base URL',
    );
    output(STACK_OUTPUTS.iotEndpoint, iotEndpoint, 'IoT Core data endpoint (ATS) agents connect to');
    output(
      STACK_OUTPUTS.iotPolicyName,
      this.identity.iotPolicy.ref,
      'IoT policy attached to agent certificates',
    );
    output(
      STACK_OUTPUTS.caCertificateId,
      this.identity.caCertificate.getAttString('CaCertificateId'),
      'Issuing CA certificate id in IoT Core',
    );
    output(STACK_OUTPUTS.alertsTopicArn, this.operations.alertsTopic.topicArn, 'SNS topic for alerts');
    output(
      STACK_OUTPUTS.claimCheckBucket,
      this.relay.envelopeBucket.bucketName,
      'Claim-check bucket (sealed envelopes only; retained on destroy)',
    );
    output(STACK_OUTPUTS.region, Aws.REGION, 'Region of the deployment');
    if (this.relay.domainName) {
      output(
        STACK_OUTPUTS.customDomainTarget,
        this.relay.domainName.regionalDomainName,
        `CNAME target for ${config.domainName}`,
      );
    }
  }
}

/**
 * Names of the stack's CloudFormation outputs. The CLI reads the deployed stack's outputs by these names
 * (DescribeStacks), so they are a contract: rename one here and in its reader together.
 */
export const STACK_OUTPUTS = {
  /** `https://…/v1/hooks`: a source's URL is `{WebhookBaseUrl}/{agentId}/{sourceId}`. */
  webhookBaseUrl: 'WebhookBaseUrl',
  /** `https://{api}.execute-api.{region}.amazonaws.com/v1`: SigV4-signed management calls go here. */
  managementApiUrl: 'ManagementApiUrl',
  /** `https://…/v1/register`: where an agent registers with its one-time token. */
  registrationUrl: 'RegistrationUrl',
  /** IoT Core data endpoint (ATS) host name the agents connect to (8883, or 443 with ALPN). */
  iotEndpoint: 'IotEndpoint',
  /** Name of the IoT policy attached to every agent certificate. */
  iotPolicyName: 'IotPolicyName',
  /** IoT Core id of the registered issuing CA certificate. */
  caCertificateId: 'CaCertificateId',
  /** SNS topic operational alarms (and budget alerts) publish to. */
  alertsTopicArn: 'AlertsTopicArn',
  /** The claim-check bucket, retained on destroy (docs/aws.md says how to empty and remove it). */
  claimCheckBucket: 'ClaimCheckBucket',
  /** Where to point the custom domain's DNS record (CNAME/alias); only with a custom domain. */
  customDomainTarget: 'CustomDomainTarget',
  /** The region the stack is deployed in (the CLI signs management calls for it). */
  region: 'Region',
} as const;

export type StackOutputName = (typeof STACK_OUTPUTS)[keyof typeof STACK_OUTPUTS];

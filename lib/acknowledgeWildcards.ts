import { Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Actions IAM can't scope to a resource: the only ones allowed on `Resource: *`.
 */
export const NO_RESOURCE_LEVEL_ACTIONS: ReadonlySet<string> = new Set([
  'iot:RegisterCertificate',
  'iot:RegisterCACertificate',
  'iot:DescribeEndpoint',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
]);

/**
 * Every kind of wildcard resource a policy in this stack may name, and why it can't be narrower. A
 * wildcard that matches none of these fails the synth: a new one needs its reason written here first.
 */
export const WILDCARD_RESOURCES: readonly { readonly pattern: RegExp; readonly reason: string }[] = [
  {
    pattern: /\/envelopes\/\*$/,
    reason:
      'Claim-check objects are named by agent and envelope id, known only when a webhook arrives; the ' +
      'envelopes/ prefix of this one bucket is the narrowest name, and every object is sealed ciphertext.',
  },
  {
    pattern: /:iot:<AWS::Region>:<AWS::AccountId>:cert\/\*$/,
    reason:
      'Agent certificates are issued at run time (24 h each), so their ids are unknown at deploy time; the ' +
      'ARN is confined to this account and region.',
  },
  {
    pattern: /:iot:<AWS::Region>:<AWS::AccountId>:cacert\/\*$/,
    reason:
      'The CA certificate id is assigned by IoT Core when the custom resource registers it, after this ' +
      'policy exists; confined to this account and region.',
  },
  {
    pattern: /:iot:<AWS::Region>:<AWS::AccountId>:thing\/\*$/,
    reason:
      'One IoT thing per agent, named by agent ids chosen at registration; confined to this account and region.',
  },
  {
    pattern: /:iot:<AWS::Region>:<AWS::AccountId>:client\/\*$/,
    reason:
      'Cutting off a revoked agent targets its MQTT client id (its agent id), known only at run time; confined ' +
      'to this account and region.',
  },
  {
    pattern: /:iot:<AWS::Region>:<AWS::AccountId>:topic\/clawpulsar\/\*\/(deliveries|alerts|cert\/issued)$/,
    reason:
      'Publishing is limited to one edge-to-agent topic kind under clawpulsar/; the agent id in the middle is ' +
      'known only per message, and each agent can receive only its own topic (IoT policy).',
  },
];

/**
 * How cdk-nag prints a resource in a finding id (`Resource::<Logical.Arn>/envelopes/*`): intrinsics are
 * flattened, `Ref`/`GetAtt` become `<…>`.
 */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (Array.isArray(node['Fn::Join'])) {
      const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (Array.isArray(node['Fn::GetAtt'])) {
      const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if (node.Ref !== undefined) return `<${flatten(node.Ref)}>`;
  }
  return JSON.stringify(value);
}

/**
 * Acknowledges, on this one policy, each wildcard resource its statements name (AwsSolutions-IAM5), with
 * the reason from WILDCARD_RESOURCES. Throws on a wildcard action, on `Resource: *` for an action that
 * supports resource-level permissions, and on any wildcard resource without a written reason.
 *
 * @example
 * acknowledgeWildcards(fn.policy, statements);
 */
export function acknowledgeWildcards(
  policy: iam.ManagedPolicy,
  statements: readonly iam.PolicyStatement[],
): void {
  const stack = Stack.of(policy);
  const acknowledged = new Set<string>();
  for (const statement of statements) {
    const wildcardAction = statement.actions.find((action) => action.includes('*'));
    if (wildcardAction) {
      throw new Error(
        `${policy.node.path}: wildcard action ${wildcardAction}; list the exact actions instead`,
      );
    }
    for (const resource of statement.resources) {
      const flat = flatten(stack.resolve(resource));
      if (!flat.includes('*') || acknowledged.has(flat)) continue;
      let reason: string | undefined;
      if (flat === '*') {
        const scoped = statement.actions.filter((action) => !NO_RESOURCE_LEVEL_ACTIONS.has(action));
        if (scoped.length > 0) {
          throw new Error(`${policy.node.path}: Resource * for ${scoped.join(', ')}, which IAM can scope`);
        }
        reason = `${statement.actions.join(', ')} ${statement.actions.length > 1 ? 'have' : 'has'} no resource-level permissions in IAM.`;
      } else {
        reason = WILDCARD_RESOURCES.find((entry) => entry.pattern.test(flat))?.reason;
      }
      if (!reason)
        throw new Error(`${policy.node.path}: no written reason for the wildcard resource ${flat}`);
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
      acknowledged.add(flat);
    }
  }
}

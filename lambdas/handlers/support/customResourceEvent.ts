import * as z from 'zod';

/** Properties of the CA custom resource; CloudFormation passes every value as a string. */
export const caResourcePropertiesSchema = z.object({
  CaSigningKeyArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, 'must be a KMS key ARN'),
  CommonName: z.string().min(1).max(64).optional(),
  LifetimeDays: z.coerce.number().int().min(2).max(7300).optional(),
});
export type CaResourceProperties = z.infer<typeof caResourcePropertiesSchema>;

const base = {
  RequestId: z.string(),
  StackId: z.string(),
  LogicalResourceId: z.string(),
  ResourceType: z.string(),
  ResourceProperties: z.record(z.string(), z.unknown()),
};

/**
 * The `onEvent` input of CDK's custom-resources Provider framework: CloudFormation's request, minus the
 * response URL, which the framework answers itself from our return value.
 */
export const customResourceEventSchema = z.discriminatedUnion('RequestType', [
  z.object({ RequestType: z.literal('Create'), ...base }),
  z.object({
    RequestType: z.literal('Update'),
    ...base,
    PhysicalResourceId: z.string(),
    OldResourceProperties: z.record(z.string(), z.unknown()),
  }),
  z.object({ RequestType: z.literal('Delete'), ...base, PhysicalResourceId: z.string() }),
]);
export type CustomResourceEvent = z.infer<typeof customResourceEventSchema>;

/** What `onEvent` returns to the Provider framework. */
export interface CustomResourceResult {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

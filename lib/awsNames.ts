/**
 * The syntax of the AWS names the CLI and the agent read and record. They are checked where they enter
 * (command line, stack outputs, the agent's config) so a typo fails there, not in an AWS call.
 */

/** A region name as AWS spells it: `eu-west-1`, `us-gov-west-1`, `cn-north-1`. */
export const AWS_REGION_NAME = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** CloudFormation's own rule for a stack name: a letter, then up to 127 letters, digits and hyphens. */
export const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** `AWS_REGION_NAME` without its anchors, to embed in a host name pattern. */
export const AWS_REGION_PART = AWS_REGION_NAME.source.slice(1, -1);

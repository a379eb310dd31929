import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SignedRequestRecord } from './sigV4ManagementApi.ts';
import { type SigV4Expectation, verifySigV4 } from './sigV4Oracle.ts';

/** A stack as DescribeStacks reports it. */
export interface StandInStack {
  readonly status: string;
  readonly outputs: Readonly<Record<string, string>>;
}

const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

/**
 * CloudFormation's DescribeStacks on loopback, in its own wire protocol (AWS query: a form-encoded POST,
 * an XML answer, `ValidationError` for an unknown stack), so the real SDK client parses it as it would
 * AWS's. Point the SDK at it with `AWS_ENDPOINT_URL_CLOUDFORMATION`. Each request's SigV4 signature
 * (service `cloudformation`) is checked by the independent oracle and recorded.
 *
 * @example
 * const cfn = await CloudFormationStandIn.start(expected, { demo: { status: 'CREATE_COMPLETE', outputs } });
 */
export class CloudFormationStandIn {
  readonly requests: (SignedRequestRecord & { readonly form: URLSearchParams })[] = [];
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(
    expected: Omit<SigV4Expectation, 'service'>,
    stacks: Readonly<Record<string, StandInStack>>,
  ): Promise<CloudFormationStandIn> {
    const server = createServer();
    const standIn = new CloudFormationStandIn(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const received = {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks),
        };
        const verdict = verifySigV4(received, { ...expected, service: 'cloudformation' });
        const form = new URLSearchParams(received.body.toString('utf8'));
        standIn.requests.push({ ...received, verdict, form });
        const reply = (status: number, xml: string) =>
          res.writeHead(status, { 'content-type': 'text/xml' }).end(xml);
        if (!verdict.valid) {
          return reply(
            403,
            error('SignatureDoesNotMatch', 'The request signature we calculated does not match'),
          );
        }
        if (form.get('Action') !== 'DescribeStacks') {
          return reply(400, error('InvalidAction', `Could not find operation ${form.get('Action')}`));
        }
        const name = form.get('StackName') ?? '';
        const stack = stacks[name];
        if (!stack) return reply(400, error('ValidationError', `Stack with id ${name} does not exist`));
        reply(200, describeStacks(name, stack, expected.region));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  /** `http://127.0.0.1:PORT` */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

function describeStacks(name: string, stack: StandInStack, region: string): string {
  const outputs = Object.entries(stack.outputs)
    .map(
      ([key, value]) =>
        `<member><OutputKey>${xml(key)}</OutputKey><OutputValue>${xml(value)}</OutputValue></member>`,
    )
    .join('');
  return `<DescribeStacksResponse xmlns="${XMLNS}"><DescribeStacksResult><Stacks><member>
<StackId>arn:aws:cloudformation:${region}:123456789012:stack/${xml(name)}/${randomUUID()}</StackId>
<StackName>${xml(name)}</StackName><CreationTime>2025-01-01T00:00:00.000Z</CreationTime>
<StackStatus>${xml(stack.status)}</StackStatus><Outputs>${outputs}</Outputs>
</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></DescribeStacksResponse>`;
}

function error(code: string, message: string): string {
  return `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'clawpulsar-verify-'));
const body = '{\n  "id": "evt_cli_1",\n  "object": "event"\n}\n';
const bodyFile = join(dir, 'body.json');
writeFileSync(bodyFile, body);
const secret = 'cli-test-secret';
const githubSignature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function clawpulsar(args: string[], input?: string) {
  const result = spawnSync(process.execPath, ['dist/clawpulsar.mjs', 'verify', ...args], {
    input,
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const github = (...extra: string[]) => [
  '--provider',
  'github',
  '--header',
  `X-Hub-Signature-256: ${githubSignature}`,
  '--header',
  'X-GitHub-Delivery: 72d3162e',
  '--body-file',
  bodyFile,
  ...extra,
];

describe('clawpulsar verify', () => {
  it('exits 0 for a valid request and prints the scheme, secret and delivery id', () => {
    const { code, stdout } = clawpulsar(github('--secret', secret));

    expect(code).toBe(0);
    expect(stdout).toContain('valid: GitHub, scheme github-sha256, secret #1, delivery id 72d3162e');
  });

  it('exits 1 with the reason for an invalid request', () => {
    const { code, stdout } = clawpulsar(github('--secret', 'wrong'));

    expect(code).toBe(1);
    expect(stdout).toContain('invalid: signature does not match');
  });

  it('tries every --secret, newest first, and says which one matched', () => {
    const { code, stdout } = clawpulsar(github('--secret', 'newer', '--secret', secret));

    expect(code).toBe(0);
    expect(stdout).toContain('secret #2');
  });

  it('reads the body from stdin with --body-file -', () => {
    const args = github('--secret', secret).map((arg) => (arg === bodyFile ? '-' : arg));

    expect(clawpulsar(args, body).code).toBe(0);
    expect(clawpulsar(args, `${body} `).code).toBe(1);
  });

  it('verifies at the time given by --at, and prints JSON with --json', () => {
    const header = new Stripe('sk_test_cli').webhooks.generateTestHeaderString({
      payload: body,
      secret,
      timestamp: 1_767_225_600,
    });
    const args = [
      '--provider',
      'stripe',
      '--secret',
      secret,
      '--header',
      `Stripe-Signature: ${header}`,
      '--body-file',
      bodyFile,
      '--json',
    ];

    const onTime = clawpulsar([...args, '--at', '1767225650']);
    const late = clawpulsar([...args, '--at', '1767226000']);

    expect(onTime.code).toBe(0);
    expect(JSON.parse(onTime.stdout)).toEqual({
      valid: true,
      provider: 'stripe',
      scheme: 'stripe-v1',
      secretIndex: 0,
      deliveryId: 'evt_cli_1',
    });
    expect(late.code).toBe(1);
    expect(JSON.parse(late.stdout)).toMatchObject({ valid: false, reason: 'timestamp too old' });
  });

  it('joins repeated headers as the ingress does', () => {
    const mac = (key: string) => `v1=${createHmac('sha256', key).update(body).digest('hex')}`;
    const args = ['--provider', 'pagerduty', '--secret', secret, '--body-file', bodyFile];

    const { code } = clawpulsar([
      ...args,
      '--header',
      `X-PagerDuty-Signature: ${mac('other')}`,
      '--header',
      `X-PagerDuty-Signature: ${mac(secret)}`,
    ]);

    expect(code).toBe(0);
  });

  it("answers Meta's GET subscription handshake with --verify-token", () => {
    const url =
      'https://hooks.example.com/v1/hooks/a/s?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=tok';
    const args = [
      '--provider',
      'meta',
      '--secret',
      'app-secret',
      '--method',
      'GET',
      '--url',
      url,
      '--body-file',
      bodyFile,
    ];

    const answered = clawpulsar([...args, '--verify-token', 'tok']);
    const refused = clawpulsar([...args, '--verify-token', 'other']);

    expect(answered.code).toBe(0);
    expect(answered.stdout).toContain('handshake: the ingress answers 200 1158201444');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('handshake: the ingress answers 403');
  });

  it.each([
    [
      'an unknown provider',
      ['--provider', 'paypal', '--secret', 's', '--body-file', bodyFile],
      /Unknown provider/,
    ],
    [
      'an unreadable body file',
      ['--provider', 'github', '--secret', 's', '--body-file', join(dir, 'missing')],
      /Cannot read --body-file/,
    ],
    [
      'a malformed header line',
      [...github('--secret', 's'), '--header', 'no colon here'],
      /Malformed --header/,
    ],
    ['a bad --at', [...github('--secret', 's'), '--at', 'yesterday'], /--at takes whole seconds/],
    ['no secret', github(), /at least one --secret/],
    [
      'a generic provider without a definition',
      ['--provider', 'generic', '--secret', 's', '--body-file', bodyFile],
      /generic definition/,
    ],
    ['a bad --url', [...github('--secret', 's'), '--url', 'not a url'], /--url must be/],
  ])('exits 2 on %s, saying what to do', (_label, args, message) => {
    const { code, stderr } = clawpulsar(args as string[]);

    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

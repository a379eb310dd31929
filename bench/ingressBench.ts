import {
  createCipheriv,
  createHmac,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import { openEdgeDatabase } from '../lambdas/adapters/local/openEdgeDatabase.ts';
import { SqliteDedupeStore } from '../lambdas/adapters/local/SqliteDedupeStore.ts';
import { SqliteDeliveryLog } from '../lambdas/adapters/local/SqliteDeliveryLog.ts';
import { SqliteEnvelopeQueue } from '../lambdas/adapters/local/SqliteEnvelopeQueue.ts';
import { generateSealingKeyPair } from '../lambdas/core/envelope/index.ts';
import { handleIngress, type IngressDeps } from '../lambdas/core/ingress/handleIngress.ts';
import type { IngressSource } from '../lambdas/core/ports.ts';
import type { WebhookRequest } from '../lambdas/core/WebhookRequest.ts';
import { printTable, time } from './measure.ts';

const SIZES = [1024, 10 * 1024, 100 * 1024];
const SECRET = 'bench-secret';

/**
 * The ingress hot path (verify + dedupe + seal + enqueue into the local edge's SQLite queue) per
 * webhook, against a floor of the bare node:crypto work the path cannot avoid: HMAC-SHA256 over the
 * body, an X25519 key pair and agreement, HKDF and AES-256-GCM over the body.
 */
export async function ingressBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cp-bench-ingress-'));
  const db = openEdgeDatabase(join(dir, 'edge.sqlite'));
  const clock = { now: Date.now };
  const recipient = generateSealingKeyPair();
  const source: IngressSource = {
    agentId: 'bench-agent',
    sourceId: 'github',
    sealingPublicKey: recipient.publicKey,
    verification: { provider: 'github', secrets: [SECRET] },
  };
  const quiet = { info() {}, warn() {}, error() {} };
  const deps: IngressDeps = {
    sources: { getIngressSource: async () => source },
    dedupe: new SqliteDedupeStore(db, clock),
    queue: new SqliteEnvelopeQueue(db),
    deliveryLog: new SqliteDeliveryLog(db),
    clock,
    logger: quiet,
    newId: randomUUID,
  };
  const recipientKey = generateKeyPairSync('x25519').publicKey;
  const rows: (string | number)[][] = [];
  for (const size of SIZES) {
    const body = Buffer.from(JSON.stringify({ pad: 'x'.repeat(size - 10) }));
    const signature = await sign(SECRET, body.toString('utf8'));
    let n = 0;
    const request = (): WebhookRequest => ({
      method: 'POST',
      url: 'http://127.0.0.1:7700/v1/hooks/bench-agent/github',
      path: '/v1/hooks/bench-agent/github',
      query: '',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signature,
        'x-github-delivery': `d-${size}-${n++}`,
        'x-github-event': 'issues',
      },
      body,
    });
    const floor = await time('floor', () => {
      createHmac('sha256', SECRET).update(body).digest();
      const eph = generateKeyPairSync('x25519');
      const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: recipientKey });
      const key = Buffer.from(hkdfSync('sha256', shared, Buffer.alloc(0), 'bench', 32));
      const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
      cipher.update(body);
      cipher.final();
      cipher.getAuthTag();
    });
    const hot = await time('ingress', () =>
      handleIngress(deps, { agentId: 'bench-agent', sourceId: 'github' }, request()),
    );
    rows.push([
      `${size / 1024} KB`,
      floor.usPerOp,
      hot.usPerOp,
      hot.usPerOp / floor.usPerOp,
      hot.opsPerSecond,
    ]);
  }
  printTable(
    'Ingress hot path per webhook: verify + dedupe + seal + enqueue (SQLite, WAL) vs the bare node:crypto floor (target ratio <= 1.5)',
    ['body', 'floor us', 'ingress us', 'ratio', 'ingress/s'],
    rows,
  );
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

import {
  createCipheriv,
  createHmac,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import { openEdgeDatabase } from '../lambdas/adapters/local/openEdgeDatabase.ts';
import { SqliteDedupeStore } from '../lambdas/adapters/local/SqliteDedupeStore.ts';
import { SqliteDeliveryLog } from '../lambdas/adapters/local/SqliteDeliveryLog.ts';
import { SqliteEnvelopeQueue } from '../lambdas/adapters/local/SqliteEnvelopeQueue.ts';
import { SqliteWriteBatcher } from '../lambdas/adapters/local/SqliteWriteBatcher.ts';
import { WalCheckpointer } from '../lambdas/adapters/local/WalCheckpointer.ts';
import { generateSealingKeyPair, SenderSetupReserve } from '../lambdas/core/envelope/index.ts';
import { handleIngress, type IngressDeps } from '../lambdas/core/ingress/handleIngress.ts';
import type { IngressSource } from '../lambdas/core/ports.ts';
import { timeOrderedId } from '../lambdas/core/timeOrderedId.ts';
import type { WebhookRequest } from '../lambdas/core/WebhookRequest.ts';
import { concurrentSlice, interleave, printTable, sequentialSlice, time } from './measure.ts';

const SIZES = [1024, 10 * 1024, 100 * 1024];
const SECRET = 'bench-secret';

/**
 * The ingress hot path (verify + dedupe + seal + enqueue into the local edge's SQLite queue) per
 * webhook, against a floor of the bare node:crypto work the path cannot avoid: HMAC-SHA256 over the
 * body, an X25519 key pair and agreement, HKDF and AES-256-GCM over the body. The database is set up as
 * the edge sets it up (WAL checkpoints on a worker thread). Floor and hot path run in alternating
 * slices, so both see the same load on a shared machine; the ratio is the median over the rounds.
 */
export async function ingressBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cp-bench-ingress-'));
  const path = join(dir, 'edge.sqlite');
  const db = openEdgeDatabase(path);
  const checkpointer = WalCheckpointer.start(db, path);
  SqliteWriteBatcher.for(db).afterCommit(() => checkpointer.wake());
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
    newId: () => timeOrderedId(),
    // As the edge runs it: at full load nearly every webhook sets up its own sealing anyway.
    senderSetups: new SenderSetupReserve(),
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
    const floor = () => {
      createHmac('sha256', SECRET).update(body).digest();
      const eph = generateKeyPairSync('x25519');
      const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: recipientKey });
      const key = Buffer.from(hkdfSync('sha256', shared, Buffer.alloc(0), 'bench', 32));
      const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
      cipher.update(body);
      cipher.final();
      cipher.getAuthTag();
    };
    const route = { agentId: 'bench-agent', sourceId: 'github' };
    const ingress = async () => {
      const response = await handleIngress(deps, route, request());
      if (response.status !== 200) throw new Error(`ingress answered ${response.status}`);
    };
    const busy = await interleave([sequentialSlice(floor), concurrentSlice(ingress, 32)], {
      totalMs: 3_000,
      sliceMs: 50,
    });
    const one = await time('ingress', ingress);
    rows.push([
      `${size / 1024} KB`,
      busy.usPerOp[0],
      busy.usPerOp[1],
      busy.ratio,
      1e6 / busy.usPerOp[1],
      one.usPerOp,
    ]);
  }
  printTable(
    'Ingress hot path per webhook: verify + dedupe + seal + enqueue, committed to SQLite (WAL), 32 in flight, vs the bare node:crypto floor, interleaved, medians (target ratio <= 1.5); last column: one at a time, commit latency included',
    ['body', 'floor us', 'ingress us', 'ratio', 'ingress/s', 'sequential us'],
    rows,
  );
  SqliteWriteBatcher.for(db).afterCommit(undefined);
  await checkpointer.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEdgeDatabase } from '../../../../lambdas/adapters/local/openEdgeDatabase.ts';
import { SqliteAgentRepository } from '../../../../lambdas/adapters/local/SqliteAgentRepository.ts';
import { SqliteCertificateRepository } from '../../../../lambdas/adapters/local/SqliteCertificateRepository.ts';
import { SqliteRegistrationTokenStore } from '../../../../lambdas/adapters/local/SqliteRegistrationTokenStore.ts';
import { UnavailableError } from '../../../../lambdas/core/errors.ts';
import { createCaCertificate } from '../../../../lambdas/core/identity/createCaCertificate.ts';
import { createRegistrationToken } from '../../../../lambdas/core/identity/registrationToken.ts';
import type {
  IssuedAgentCertificate,
  RegistrationDeps,
} from '../../../../lambdas/core/registration/RegistrationDeps.ts';
import { registerAgent } from '../../../../lambdas/core/registration/registerAgent.ts';
import { renewAgentCertificate } from '../../../../lambdas/core/registration/renewAgentCertificate.ts';
import { MemoryLogger } from '../../../support/MemoryLogger.ts';
import { OpenSslWorkspace } from '../../../support/openssl.ts';
import { testSigner } from '../identity/support/testSigner.ts';

const NOW = Date.UTC(2026, 0, 10, 12);
const SEALING_KEY = Buffer.alloc(32, 7).toString('base64url');

describe('onCertificateIssued', () => {
  let dir: string;
  let db: DatabaseSync;
  let ssl: OpenSslWorkspace;
  let deps: RegistrationDeps;
  let issued: IssuedAgentCertificate[];
  let failWith: Error | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clawpulsar-hook-'));
    db = openEdgeDatabase(join(dir, 'edge.db'));
    ssl = new OpenSslWorkspace();
    const signer = testSigner();
    const ca = await createCaCertificate({
      signer,
      commonName: 'Hook CA',
      now: NOW,
      lifetimeMs: 30 * 86_400_000,
    });
    issued = [];
    failWith = undefined;
    deps = {
      tokens: new SqliteRegistrationTokenStore(db),
      agents: new SqliteAgentRepository(db),
      certificates: new SqliteCertificateRepository(db),
      signer,
      caCertificatePem: ca.certificatePem,
      clock: { now: () => NOW },
      logger: new MemoryLogger(),
      tunnel: { host: 'iot.example', port: 8883, serverName: 'iot.example', serverCaPem: ca.certificatePem },
      webhookBaseUrl: 'https://hooks.example/v1/hooks',
      onCertificateIssued: async (certificate) => {
        if (failWith) throw failWith;
        issued.push(certificate);
      },
    };
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    ssl.remove();
  });

  async function register(agentId = 'laptop-1') {
    const { token } = await createRegistrationToken({ agentId, store: deps.tokens, now: NOW });
    return {
      token,
      body: { token, csrPem: ssl.csr(`${agentId}-${Math.random()}`), sealingPublicKey: SEALING_KEY },
    };
  }

  it('hands the issued certificate to the runtime before answering the agent', async () => {
    // Prepare
    const { body } = await register();

    // Act
    const response = await registerAgent(deps, body);

    // Assess
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({ agentId: 'laptop-1', certificatePem: response.certificatePem });
    const [record] = await deps.certificates.listByAgent('laptop-1');
    expect(record).toMatchObject({ serialNumber: issued[0]?.serialNumber, status: 'active' });
  });

  it('gives the token back and changes nothing else when the runtime refuses the certificate', async () => {
    // Prepare
    const first = await register();
    await registerAgent(deps, first.body);
    const before = await deps.agents.get('laptop-1');
    const second = await register();
    failWith = new Error('iot down');

    // Act
    const attempt = registerAgent(deps, second.body);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(UnavailableError);
    await expect(attempt).rejects.toMatchObject({ code: 'certificate_registration_failed', status: 503 });
    const records = await deps.certificates.listByAgent('laptop-1');
    expect(records.map((r) => r.status).sort()).toEqual(['active', 'revoked']);
    expect(records.find((r) => r.status === 'active')?.serialNumber).toBe(issued[0]?.serialNumber);
    expect(await deps.agents.get('laptop-1')).toEqual(before);

    // The same token works once the runtime recovers.
    failWith = undefined;
    const retried = await registerAgent(deps, second.body);
    expect(retried.agentId).toBe('laptop-1');
    const after = await deps.certificates.listByAgent('laptop-1');
    expect(after.filter((r) => r.status === 'active')).toHaveLength(1);
    expect(after.filter((r) => r.status === 'superseded')).toHaveLength(1);
  });

  it('registers a renewed certificate with the runtime', async () => {
    // Prepare
    await registerAgent(deps, (await register()).body);
    const payload = Buffer.from(JSON.stringify({ requestId: 'r1', csrPem: ssl.csr('renewal') }));

    // Act
    const reply = await renewAgentCertificate(deps, 'laptop-1', payload);

    // Assess
    expect(reply.certificatePem).toBeDefined();
    expect(issued).toHaveLength(2);
    expect(issued[1]?.certificatePem).toBe(reply.certificatePem);
  });

  it('answers a renewal with an error and revokes the certificate the runtime refused', async () => {
    // Prepare
    await registerAgent(deps, (await register()).body);
    const payload = Buffer.from(JSON.stringify({ requestId: 'r2', csrPem: ssl.csr('renewal-2') }));
    failWith = new Error('iot down');

    // Act
    const reply = await renewAgentCertificate(deps, 'laptop-1', payload);

    // Assess
    expect(reply).toEqual({
      requestId: 'r2',
      error: 'certificate could not be registered with the tunnel; retry later',
    });
    const statuses = (await deps.certificates.listByAgent('laptop-1')).map((r) => r.status).sort();
    expect(statuses).toEqual(['active', 'revoked']);
  });
});

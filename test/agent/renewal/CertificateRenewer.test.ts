import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renewalSchema } from '../../../agent/config/agentConfig.ts';
import type { TlsCredentials } from '../../../agent/credentials/AgentCredentials.ts';
import { createTlsKeyAndCsr } from '../../../agent/credentials/createTlsKeyAndCsr.ts';
import { CertificateRenewer } from '../../../agent/renewal/CertificateRenewer.ts';
import { MemoryLogger } from '../../support/MemoryLogger.ts';
import { makeCa, removeCa, type TestCa } from '../../support/opensslCa.ts';
import { signAgentCsr } from '../../support/testCa.ts';

const HOUR = 3_600_000;

describe('CertificateRenewer', () => {
  let ca: TestCa;
  beforeAll(() => {
    ca = makeCa();
  });
  afterAll(() => removeCa(ca));

  /** A renewer whose "edge" answers each CSR with `answer`; returns what it sent and installed. */
  function renewer(
    answer: (request: { requestId: string; csrPem: string }) => Record<string, unknown> | undefined,
    current: Pick<TlsCredentials, 'notBefore' | 'notAfter'> = { notBefore: 0, notAfter: Date.now() + HOUR },
    options = renewalSchema.parse({ replyTimeoutMs: 300 }),
    sendDelayMs = 0,
  ) {
    const sent: string[] = [];
    const installed: { credentials: TlsCredentials; csrPem: string }[] = [];
    let reconnects = 0;
    const logger = new MemoryLogger();
    let clock = Date.now();
    const created: CertificateRenewer = new CertificateRenewer({
      agentId: 'renewing',
      options,
      current: () => ({ keyPem: '', certificatePem: '', caChainPem: '', ...current }),
      sendCsr: async (payload) => {
        // Sending waits for the tunnel to be ready; this stands for a tunnel that is down a while.
        await new Promise((resolve) => setTimeout(resolve, sendDelayMs));
        sent.push(payload);
        const reply = answer(JSON.parse(payload));
        if (reply) setImmediate(() => created.accept(Buffer.from(JSON.stringify(reply))));
      },
      install: (credentials, csrPem) => installed.push({ credentials, csrPem }),
      reconnect: async () => {
        reconnects++;
      },
      logger,
      clock: { now: () => clock },
    });
    return {
      renewer: created,
      sent,
      installed,
      logger,
      reconnects: () => reconnects,
      setNow: (ms: number) => (clock = ms),
    };
  }

  it('is due once less than the configured fraction of the lifetime remains', () => {
    const start = Date.parse('2026-11-29T00:00:00Z');
    const { renewer: r, setNow } = renewer(() => undefined, {
      notBefore: start,
      notAfter: start + 24 * HOUR,
    });
    setNow(start + 15 * HOUR);
    expect(r.isDue()).toBe(false);
    setNow(start + 16 * HOUR + 1);
    expect(r.isDue()).toBe(true);
  });

  it('sends a new CSR, installs the certificate issued for the new key and reconnects', async () => {
    // Prepare
    const edge = renewer(({ requestId, csrPem }) => {
      const issued = signAgentCsr(ca, csrPem, 'renewing');
      return {
        requestId,
        certificatePem: issued.certificatePem,
        caChainPem: ca.certPem,
        notAfter: issued.notAfter,
      };
    });

    // Act
    const renewed = await edge.renewer.renew();

    // Assess
    expect(renewed).toBe(true);
    expect(edge.sent).toHaveLength(1);
    const request = JSON.parse(edge.sent[0]!);
    expect(Object.keys(request).sort()).toEqual(['csrPem', 'requestId']);
    expect(edge.installed).toHaveLength(1);
    expect(edge.installed[0]!.csrPem).toBe(request.csrPem);
    expect(edge.installed[0]!.credentials.keyPem).toContain('PRIVATE KEY');
    expect(edge.sent[0]).not.toContain('PRIVATE KEY');
    expect(edge.reconnects()).toBe(1);
  });

  it('does not install a certificate for another key', async () => {
    const edge = renewer(({ requestId }) => {
      const issued = signAgentCsr(ca, createTlsKeyAndCsr('other').csrPem, 'renewing');
      return { requestId, certificatePem: issued.certificatePem, caChainPem: ca.certPem };
    });
    expect(await edge.renewer.renew()).toBe(false);
    expect(edge.installed).toEqual([]);
    expect(edge.logger.lines.find((l) => l.event === 'renewal_failed')?.fields?.reason).toMatch(
      /not for this agent/,
    );
  });

  it('does not install a certificate that has already expired', async () => {
    const edge = renewer(({ requestId, csrPem }) => {
      const issued = signAgentCsr(ca, csrPem, 'renewing', {
        notBefore: Date.now() - 2 * HOUR,
        notAfter: Date.now() - HOUR,
      });
      return { requestId, certificatePem: issued.certificatePem, caChainPem: ca.certPem };
    });
    expect(await edge.renewer.renew()).toBe(false);
    expect(edge.installed).toEqual([]);
  });

  it('gives up (until the next check) on an error reply, no reply, or a reply to another request', async () => {
    const refused = renewer(({ requestId }) => ({ requestId, error: 'agent is not active' }));
    expect(await refused.renewer.renew()).toBe(false);
    expect(refused.logger.lines.at(-1)?.fields?.reason).toBe('agent is not active');

    const silent = renewer(() => undefined);
    expect(await silent.renewer.renew()).toBe(false);
    expect(silent.logger.lines.at(-1)?.fields?.reason).toBe('no reply from the edge in time');

    const stranger = renewer(() => ({ requestId: 'someone-else', error: 'x' }));
    expect(await stranger.renewer.renew()).toBe(false);
    expect(stranger.logger.lines.at(-1)?.fields?.reason).toBe('no reply from the edge in time');
  });

  it('counts the reply timeout from when the CSR was sent, not from when renewal began', async () => {
    const edge = renewer(
      ({ requestId, csrPem }) => {
        const issued = signAgentCsr(ca, csrPem, 'renewing');
        return { requestId, certificatePem: issued.certificatePem, caChainPem: ca.certPem };
      },
      undefined,
      renewalSchema.parse({ replyTimeoutMs: 1_000 }),
      1_500,
    );
    expect(await edge.renewer.renew()).toBe(true);
  });

  it('ignores malformed replies with a log line', () => {
    const edge = renewer(() => undefined);
    edge.renewer.accept(Buffer.from('{"requestId": 5}'));
    edge.renewer.accept(Buffer.from('not json'));
    expect(edge.logger.events()).toEqual(['renewal_reply_invalid', 'renewal_reply_invalid']);
  });

  it('runs one renewal at a time', async () => {
    const edge = renewer(() => undefined);
    const [a, b] = [edge.renewer.renew(), edge.renewer.renew()];
    expect(a).toBe(b);
    await a;
    expect(edge.sent).toHaveLength(1);
  });
});

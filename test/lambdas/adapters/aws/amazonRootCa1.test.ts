import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { AMAZON_ROOT_CA_1_PEM } from '../../../../lambdas/adapters/aws/amazonRootCa1.ts';

describe('AMAZON_ROOT_CA_1_PEM', () => {
  it("is Amazon Root CA 1 exactly as Node's bundled Mozilla root store has it", () => {
    // Prepare
    const bundled = rootCertificates
      .map((pem) => new X509Certificate(pem))
      .find((c) => c.subject.endsWith('CN=Amazon Root CA 1'));

    // Act
    const embedded = new X509Certificate(AMAZON_ROOT_CA_1_PEM);

    // Assess
    expect(bundled).toBeDefined();
    expect(embedded.raw.equals(bundled?.raw ?? Buffer.alloc(0))).toBe(true);
    expect(embedded.fingerprint256).toBe(
      '8E:CD:E6:88:4F:3D:87:B1:12:5B:A3:1A:C3:FC:B1:3D:70:16:DE:7F:57:CC:90:4F:E1:CB:97:C6:AE:98:19:6E',
    );
    expect(embedded.ca).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { tunnelTlsOptions, tunnelTlsTarget } from '../../../agent/tunnel/tunnelTlsTarget.ts';

const tls = { keyPem: 'KEY', certificatePem: 'LEAF\n\n', caChainPem: 'ISSUER\n' };

describe('tunnelTlsTarget / tunnelTlsOptions', () => {
  it('presents the leaf then its issuers, sends SNI, verifies the broker against its CA, TLS 1.2 or newer', () => {
    // Act
    const options = tunnelTlsOptions(
      tunnelTlsTarget({ host: 'broker.example', port: 8883, serverName: 'sni.example' }, 'SERVER-CA', tls),
    );

    // Assess
    expect(options).toEqual({
      host: 'broker.example',
      port: 8883,
      servername: 'sni.example',
      key: 'KEY',
      cert: 'LEAF\nISSUER\n',
      ca: 'SERVER-CA',
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    });
  });

  it('offers the ALPN protocol only when the endpoint names one', () => {
    // Act
    const target = tunnelTlsTarget(
      { host: 'x-ats.iot.eu-west-1.amazonaws.com', port: 443, serverName: 'x', alpn: 'x-amzn-mqtt-ca' },
      'CA',
      tls,
    );

    // Assess
    expect(target.alpn).toBe('x-amzn-mqtt-ca');
    expect(tunnelTlsOptions(target).ALPNProtocols).toEqual(['x-amzn-mqtt-ca']);
    expect(tunnelTlsOptions({ ...target, alpn: '' })).not.toHaveProperty('ALPNProtocols');
  });
});

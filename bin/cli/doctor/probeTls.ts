import { connect } from 'node:tls';
import { type TunnelTlsTarget, tunnelTlsOptions } from '../../../agent/tunnel/tunnelTlsTarget.ts';

/** Where to open the handshake, and what to present there: the agent's own tunnel target. */
export type TlsProbeTarget = TunnelTlsTarget;

export interface TlsProbeTimeouts {
  /** No progress for this long ends the probe as `timeout`. */
  readonly timeoutMs: number;
  /**
   * Under TLS 1.3 the client's handshake completes before the server has judged the client certificate:
   * a refusal arrives after it. The probe waits this long for the server's verdict (a session ticket
   * means accepted, a close or an alert refused) before counting silence as accepted.
   */
  readonly verdictMs: number;
}

export type TlsProbeResult =
  /** The server took this certificate. */
  | { readonly result: 'accepted'; readonly protocol: string; readonly alpn: string | false }
  /** The server completed the key exchange, then dropped or alerted: it refused this certificate. */
  | { readonly result: 'refused'; readonly code: string }
  /** The server's certificate did not verify against `caPem`, or not for `serverName`. */
  | { readonly result: 'untrusted'; readonly code: string }
  /** The server refused the ALPN protocol asked for, or completed the handshake without selecting it. */
  | { readonly result: 'alpn_refused' }
  /** Nothing happened for `timeoutMs`: a firewall dropping packets, typically. */
  | { readonly result: 'timeout' }
  /** The connection failed before any key exchange (refused, unreachable, no DNS, not TLS, …). */
  | { readonly result: 'unreachable'; readonly code: string };

/** The server's fatal alert when it takes none of the ALPN protocols offered (RFC 7301). */
const NO_APPLICATION_PROTOCOL = 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL';
/** Node's codes for a server certificate that does not verify (checked after the handshake). */
const UNTRUSTED =
  /^(?:UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/;

/**
 * One mutual-TLS handshake, closed as soon as the outcome is known: no MQTT is spoken, so an agent
 * already connected with the same identity is not disturbed. The outcome tells apart a path that is
 * blocked, a server that is not the expected one, and a server that refused this client's certificate.
 *
 * @example
 * const outcome = await probeTls(target, { timeoutMs: 5000, verdictMs: 1500 });
 * if (outcome.result === 'refused') console.log('the broker refused our certificate');
 */
export function probeTls(target: TlsProbeTarget, timeouts: TlsProbeTimeouts): Promise<TlsProbeResult> {
  return new Promise((resolve) => {
    let keysExchanged = false;
    let settled = false;
    let verdictTimer: NodeJS.Timeout | undefined;
    const socket = connect(tunnelTlsOptions(target));
    const finish = (result: TlsProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(verdictTimer);
      socket.destroy();
      resolve(result);
    };
    const accepted = () =>
      finish({
        result: 'accepted',
        protocol: socket.getProtocol() ?? 'TLS',
        alpn: socket.alpnProtocol ?? false,
      });
    // The only signal that the server got as far as the key exchange (its certificate was sent and the
    // keys agreed): a TLS 1.2 server judges the client's certificate after it. The key material itself
    // is dropped unread.
    socket.once('keylog', () => {
      keysExchanged = true;
    });
    socket.setTimeout(timeouts.timeoutMs, () => finish({ result: 'timeout' }));
    socket.once('secureConnect', () => {
      if (target.alpn && socket.alpnProtocol !== target.alpn) {
        finish({ result: 'alpn_refused' });
        return;
      }
      if (socket.getProtocol() !== 'TLSv1.3') {
        accepted();
        return;
      }
      socket.once('session', accepted);
      verdictTimer = setTimeout(accepted, timeouts.verdictMs);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'error';
      if (code === NO_APPLICATION_PROTOCOL) finish({ result: 'alpn_refused' });
      else if (UNTRUSTED.test(code)) finish({ result: 'untrusted', code });
      else if (keysExchanged) finish({ result: 'refused', code });
      else finish({ result: 'unreachable', code });
    });
    socket.once('close', () => {
      if (keysExchanged) finish({ result: 'refused', code: 'closed' });
      else finish({ result: 'unreachable', code: 'closed' });
    });
  });
}

import { BadRequestError } from '../errors.ts';

// RFC 7468 strict form: one block, base64 lines, the same label on both boundaries, nothing around it
// but whitespace. Parsed by hand because a PEM wrapper is text, not ASN.1.
const PEM_BLOCK =
  /^-----BEGIN ([A-Z0-9]+(?: [A-Z0-9]+)*)-----\r?\n([A-Za-z0-9+/=\r\n]*?)\r?\n?-----END \1-----$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes one PEM block and checks its label. Errors: `pem_malformed`, `pem_label_unexpected`.
 *
 * @example
 * const der = decodePem(text, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
 */
export function decodePem(text: string, labels: readonly string[]): Uint8Array {
  const match = PEM_BLOCK.exec(text.trim());
  if (!match) throw new BadRequestError('pem_malformed', 'Not a single well-formed PEM block');
  const label = match[1]!;
  if (!labels.includes(label)) {
    throw new BadRequestError(
      'pem_label_unexpected',
      `PEM label "${label}" is not one of: ${labels.join(', ')}`,
      {
        label,
        expected: labels,
      },
    );
  }
  const base64 = match[2]!.replace(/[\r\n]/g, '');
  if (base64.length === 0 || !BASE64.test(base64)) {
    throw new BadRequestError('pem_malformed', 'PEM body is not valid base64');
  }
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

const DASH = 0x2d;

/**
 * DER from input that may be PEM text, PEM as bytes (as it arrives over MQTT) or DER bytes. DER always
 * starts with a SEQUENCE tag, never with the '-' that opens a PEM block.
 */
export function derFromPemOrDer(input: string | Uint8Array, labels: readonly string[]): Uint8Array {
  if (typeof input === 'string') return decodePem(input, labels);
  if (input[0] === DASH)
    return decodePem(Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8'), labels);
  return input;
}

/** Wraps DER bytes in a PEM block with 64-character lines and a trailing newline. */
export function encodePem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

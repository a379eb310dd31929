import { decodeSignature, type SignatureEncoding } from './decodeSignature.ts';
import { splitHeaderList } from './splitHeaderList.ts';

export interface SignatureFormat {
  readonly encoding: SignatureEncoding;
  /** Text before each signature, e.g. `sha256=` or `v1=`. */
  readonly prefix?: string;
  /** Separator between several signatures in one header (`,` for PagerDuty); none = one signature. */
  readonly separator?: string;
}

/**
 * Reads the signatures a header carries, decoded. Items without the prefix or that don't decode are
 * skipped, so one bad entry beside a good one doesn't fail a rotation; a header with no usable entry
 * returns a reason naming the header.
 *
 * @example
 * readSignatures('v1=ab12,v1=cd34', 'x-pagerduty-signature', { encoding: 'hex', prefix: 'v1=', separator: ',' });
 */
export function readSignatures(
  value: string,
  headerName: string,
  format: SignatureFormat,
): Buffer[] | string {
  const prefix = format.prefix ?? '';
  if (format.separator === undefined) {
    const decoded = value.startsWith(prefix)
      ? decodeSignature(value.slice(prefix.length), format.encoding)
      : undefined;
    return decoded !== undefined ? [decoded] : `malformed ${headerName} header`;
  }
  const items = splitHeaderList(value, format.separator);
  if (items === undefined) return `too many signatures in ${headerName} header`;
  const signatures: Buffer[] = [];
  for (const item of items) {
    if (!item.startsWith(prefix)) continue;
    const decoded = decodeSignature(item.slice(prefix.length), format.encoding);
    if (decoded !== undefined) signatures.push(decoded);
  }
  return signatures.length > 0 ? signatures : `malformed ${headerName} header`;
}

import { AsnConvert, AsnParser, type IAsnParseOptions } from '@peculiar/asn1-schema';

// Certificates and requests here are small; these bounds keep a hostile input from costing more.
const BER_LIMITS: IAsnParseOptions = {
  berOptions: { maxDepth: 24, maxNodes: 1024, maxContentLength: 65_536 },
};

/**
 * Parses `bytes` as the ASN.1 type `Type` and accepts it only when it is the exact DER encoding of what
 * was parsed: no trailing bytes, no BER-only forms, so what was signed is what we read.
 * Returns undefined on any failure.
 */
export function parseDer<T>(bytes: Uint8Array, Type: new () => T): T | undefined {
  try {
    const value = AsnParser.parse(bytes, Type, BER_LIMITS);
    const reencoded = new Uint8Array(AsnConvert.serialize(value));
    return Buffer.compare(reencoded, bytes) === 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

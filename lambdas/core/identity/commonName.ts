import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from '@peculiar/asn1-x509';

const ID_AT_COMMON_NAME = '2.5.4.3';

/** A distinguished name made of a single CN (UTF8String), the only form of name we issue. */
export function commonNameOnly(commonName: string): Name {
  return new Name([
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({
        type: ID_AT_COMMON_NAME,
        value: new AttributeValue({ utf8String: commonName }),
      }),
    ]),
  ]);
}

/**
 * The CN of a name that consists of exactly one CN and nothing else, or undefined. Anything richer is
 * not a name we issued, so the caller fails closed.
 */
export function soleCommonName(name: Name): string | undefined {
  if (name.length !== 1) return undefined;
  const rdn = name[0]!;
  if (rdn.length !== 1) return undefined;
  const attribute = rdn[0]!;
  if (attribute.type !== ID_AT_COMMON_NAME) return undefined;
  const value = attribute.value;
  return value.utf8String ?? value.printableString;
}

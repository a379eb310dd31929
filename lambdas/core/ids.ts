import * as z from 'zod';

/**
 * Agent and source ids appear in URLs and MQTT topics, so they may not contain `/`, `+`, `#` or
 * anything that needs escaping: lower-case letters, digits and dashes, 3 to 63 characters.
 */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,62}$/;

export const idSchema = z.string().regex(ID_PATTERN, 'must be 3-63 lower-case letters, digits or dashes');

/** True when `value` is a well-formed agent or source id. */
export function isValidId(value: string): boolean {
  return ID_PATTERN.test(value);
}

import { hostname } from 'node:os';
import { isValidId } from '../../../lambdas/core/ids.ts';

/**
 * An agent id from this machine's host name: lower case, dots and other characters as dashes, cut to
 * 63 characters, e.g. `Alices-MacBook-Pro.local` → `alices-macbook-pro`; `my-laptop` when nothing usable
 * remains.
 */
export function defaultAgentId(name = hostname()): string {
  const slug = name
    .toLowerCase()
    .replace(/\.local$/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return isValidId(slug) ? slug : 'my-laptop';
}

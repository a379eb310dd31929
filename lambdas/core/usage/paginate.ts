/**
 * Cursor pagination as OpenAI's and Anthropic's usage APIs do it: `has_more` plus an opaque `next_page`
 * token passed back as `page`.
 */
import { ProviderResponseError } from './errors.ts';

export interface CursorPage {
  readonly has_more: boolean;
  readonly next_page?: string | null | undefined;
}

/** A hard stop so a provider that keeps saying `has_more` cannot keep us looping. */
export const MAX_PAGES = 200;

/**
 * Calls `fetchPage` with each cursor in turn (undefined first) until `has_more` is false, handing every
 * page to `onPage`.
 *
 * @example
 * await paginate('OpenAI', (page) => fetchCosts(page), (page) => sum(page.data));
 */
export async function paginate<P extends CursorPage>(
  provider: string,
  fetchPage: (cursor: string | undefined) => Promise<P>,
  onPage: (page: P) => void,
): Promise<void> {
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let count = 0; count < MAX_PAGES; count++) {
    const page = await fetchPage(cursor);
    onPage(page);
    if (!page.has_more) return;
    const next = page.next_page;
    if (typeof next !== 'string' || next === '') {
      throw new ProviderResponseError(provider, 'has_more is true but next_page is missing', {
        fields: ['next_page'],
      });
    }
    if (seen.has(next)) throw new ProviderResponseError(provider, 'next_page repeats an earlier page');
    seen.add(next);
    cursor = next;
  }
  throw new ProviderResponseError(provider, `more than ${MAX_PAGES} pages`);
}

import { describe, expect, it } from 'vitest';
import { MAX_PAGES, paginate } from '../../../../lambdas/core/usage/paginate.ts';

describe('paginate', () => {
  it('walks the cursors in order', async () => {
    const seen: (string | undefined)[] = [];
    const pages: Record<string, { has_more: boolean; next_page: string | null; n: number }> = {
      start: { has_more: true, next_page: 'b', n: 1 },
      b: { has_more: true, next_page: 'c', n: 2 },
      c: { has_more: false, next_page: null, n: 3 },
    };
    const collected: number[] = [];

    await paginate(
      'P',
      async (cursor) => {
        seen.push(cursor);
        return pages[cursor ?? 'start']!;
      },
      (page) => collected.push(page.n),
    );

    expect(seen).toEqual([undefined, 'b', 'c']);
    expect(collected).toEqual([1, 2, 3]);
  });

  it('stops on a repeated cursor', async () => {
    await expect(
      paginate(
        'P',
        async () => ({ has_more: true, next_page: 'same' }),
        () => {},
      ),
    ).rejects.toThrow(/repeats/);
  });

  it('stops after the page cap', async () => {
    let n = 0;
    await expect(
      paginate(
        'P',
        async () => ({ has_more: true, next_page: `p${n++}` }),
        () => {},
      ),
    ).rejects.toThrow(`more than ${MAX_PAGES} pages`);
  });
});

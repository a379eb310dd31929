import { USAGE_PROVIDER_IDS } from '../../../lambdas/core/usage/SpendReport.ts';
import { ApiError, api, monitorMissing, request } from '../api.ts';
import { announce, empty, field, formStatus, h, replace, section } from '../dom.ts';
import type { Page } from './Page.ts';

/** The 90-day spend history: export as CSV or JSON, delete all of it or one provider's. */
export const historyPage: Page = async ({ main }) => {
  const status = formStatus();
  try {
    await api('GET', '/v1/history?format=json');
  } catch (error) {
    if (!monitorMissing(error)) throw error;
    replace(
      main,
      h('h1', {}, 'History'),
      empty(
        'The budget monitor is not available on this edge.',
        'Spend history appears here once the edge runs the budget monitor.',
      ),
    );
    return;
  }
  const format = h(
    'select',
    { name: 'format' },
    h('option', { value: 'csv' }, 'CSV'),
    h('option', { value: 'json' }, 'JSON'),
  );
  const provider = h(
    'select',
    { name: 'provider' },
    h('option', { value: '' }, 'All providers'),
    ...USAGE_PROVIDER_IDS.map((p) => h('option', { value: p }, p)),
  );
  const exportForm = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Export history' },
    field('Format', format),
    field('Provider', provider),
    h('button', { type: 'submit' }, 'Download'),
  );
  exportForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const query = new URLSearchParams({ format: format.value });
    if (provider.value) query.set('provider', provider.value);
    const response = await request('GET', `/v1/history?${query}`);
    if (!response.ok) return status.error(`Export failed (HTTP ${response.status})`);
    const blob = await response.blob();
    const link = h('a', { href: URL.createObjectURL(blob), download: `clawpulsar-history.${format.value}` });
    document.body.append(link);
    link.click();
    link.remove();
    status.ok('Export downloaded.');
  });
  const deleteProvider = h(
    'select',
    { name: 'delete-provider' },
    h('option', { value: '' }, 'All providers'),
    ...USAGE_PROVIDER_IDS.map((p) => h('option', { value: p }, p)),
  );
  const deleteForm = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Delete history' },
    field('Provider', deleteProvider),
    h('button', { type: 'submit', class: 'danger' }, 'Delete history'),
  );
  deleteForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const which = deleteProvider.value || 'every provider';
    if (
      !window.confirm(
        `Delete the stored spend history of ${which}? Budgets then start from zero until the next poll.`,
      )
    )
      return;
    try {
      const query = deleteProvider.value ? `?provider=${deleteProvider.value}` : '';
      const { deleted } = await api<{ deleted: number }>('DELETE', `/v1/history${query}`);
      status.ok(`Deleted ${deleted} day${deleted === 1 ? '' : 's'} of history.`);
      announce(`Deleted ${deleted} rows`);
    } catch (error) {
      status.error(error instanceof ApiError ? error.message : String(error));
    }
  });
  replace(
    main,
    h('h1', {}, 'History'),
    h(
      'p',
      { class: 'note' },
      'Daily spend per provider and key, kept 90 days. No request-level data is stored.',
    ),
    section('Export', exportForm),
    section('Delete', deleteForm),
    status.element,
  );
};

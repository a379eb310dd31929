import type { ProviderKeyView } from '../../../lambdas/core/keys/ProviderKeyView.ts';
import type { BudgetView } from '../../../lambdas/core/monitor/BudgetView.ts';
import type { BudgetStatus } from '../../../lambdas/core/monitor/budgetStatus.ts';
import type { HistoryExport } from '../../../lambdas/core/monitor/exportHistory.ts';
import { USAGE_PROVIDER_IDS } from '../../../lambdas/core/usage/SpendReport.ts';
import { api, monitorMissing } from '../api.ts';
import {
  announce,
  dateTime,
  empty,
  field,
  formStatus,
  h,
  relative,
  replace,
  section,
  table,
  usd,
} from '../dom.ts';
import { spendChart } from '../spendChart.ts';
import type { Page } from './Page.ts';

/** Provider keys (masked) and budgets: spend against the limit, forecast band, thresholds, alerts. */
export const budgetsPage: Page = async ({ main }) => {
  let keys: ProviderKeyView[];
  try {
    keys = (await api<{ keys: ProviderKeyView[] }>('GET', '/v1/keys')).keys;
  } catch (error) {
    if (!monitorMissing(error)) throw error;
    replace(
      main,
      h('h1', {}, 'Keys & budgets'),
      empty(
        'The budget monitor is not available on this edge.',
        'This edge answers 404 for /v1/keys and /v1/budgets: update ClawPulsar, or check keys from the command line with ',
        h('code', {}, 'clawpulsar budget check'),
        '.',
      ),
    );
    return;
  }
  const keyList = h('div', { id: 'keys-list' });
  const budgetList = h('div', { id: 'budgets-list' });

  const keyStatus = formStatus();
  const keyProvider = h(
    'select',
    { name: 'provider' },
    ...USAGE_PROVIDER_IDS.map((p) => h('option', { value: p }, p)),
  );
  const keyLabel = h('input', {
    name: 'label',
    required: true,
    maxlength: 100,
    placeholder: 'OpenAI admin key',
  });
  const keySecret = h('input', { name: 'key', type: 'password', required: true, autocomplete: 'off' });
  const keyForm = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Add a provider key' },
    field('Provider', keyProvider),
    field('Label', keyLabel),
    field(
      'Read-only usage key',
      keySecret,
      'Stored encrypted, used only for usage and billing endpoints, shown masked',
    ),
    h('button', { type: 'submit' }, 'Add key'),
    keyStatus.element,
  );
  keyForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    keyStatus.clear();
    try {
      await api('POST', '/v1/keys', {
        provider: keyProvider.value,
        label: keyLabel.value,
        key: keySecret.value,
      });
      keySecret.value = '';
      keyStatus.ok('Key added; it is polled on the next cycle.');
      await refresh();
    } catch (error) {
      keyStatus.error((error as Error).message);
    }
  });

  const budgetStatusLine = formStatus();
  const name = h('input', { name: 'name', required: true, maxlength: 200, placeholder: 'OpenAI monthly' });
  const provider = h(
    'select',
    { name: 'budget-provider' },
    ...USAGE_PROVIDER_IDS.map((p) => h('option', { value: p }, p)),
  );
  const period = h(
    'select',
    { name: 'period' },
    ...['month', 'week', 'day'].map((p) => h('option', { value: p }, p)),
  );
  const limit = h('input', {
    name: 'limit',
    type: 'number',
    min: 0.01,
    step: 0.01,
    required: true,
    placeholder: '100',
  });
  const percents = h('input', { name: 'thresholds', value: '50, 80, 100', pattern: '[0-9., ]+' });
  const budgetForm = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Add a budget' },
    field('Name', name),
    field('Provider', provider),
    field('Period', period),
    field('Limit (USD)', limit),
    field('Alert at (% of the limit)', percents, 'Comma-separated; a forecast alert at 100% (P90) is added'),
    h('button', { type: 'submit' }, 'Add budget'),
    budgetStatusLine.element,
  );
  budgetForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    budgetStatusLine.clear();
    const values = percents.value
      .split(',')
      .map((p) => Number(p.trim()))
      .filter((p) => p > 0);
    try {
      await api('POST', '/v1/budgets', {
        name: name.value,
        scope: { provider: provider.value },
        period: period.value,
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        limitMicros: Math.round(Number(limit.value) * 1_000_000),
        thresholds: [
          ...values.map((percent) => ({
            id: `actual-${percent}`.replace('.', '-'),
            basis: 'actual',
            percent,
          })),
          { id: 'forecast-100', basis: 'forecast', band: 'p90', percent: 100 },
        ],
      });
      budgetStatusLine.ok('Budget added.');
      await refresh();
    } catch (error) {
      budgetStatusLine.error((error as Error).message);
    }
  });

  async function removeKey(key: ProviderKeyView): Promise<void> {
    if (
      !window.confirm(`Delete the key "${key.label}"? It is purged; its history stays until you delete it.`)
    )
      return;
    await api('DELETE', `/v1/keys/${encodeURIComponent(key.keyId)}`).catch((e: Error) =>
      window.alert(e.message),
    );
    announce(`Key ${key.label} deleted`);
    await refresh();
  }

  async function rotateKey(key: ProviderKeyView): Promise<void> {
    const next = window.prompt(`New key for "${key.label}" (takes effect on the next poll):`);
    if (!next) return;
    await api('PUT', `/v1/keys/${encodeURIComponent(key.keyId)}`, { key: next }).catch((e: Error) =>
      window.alert(e.message),
    );
    await refresh();
  }

  async function removeBudget(budget: BudgetView): Promise<void> {
    if (!window.confirm(`Delete the budget "${budget.name}"?`)) return;
    await api('DELETE', `/v1/budgets/${encodeURIComponent(budget.id)}`).catch((e: Error) =>
      window.alert(e.message),
    );
    await refresh();
  }

  async function budgetCard(budget: BudgetView): Promise<HTMLElement> {
    const status = await api<BudgetStatus>('GET', `/v1/budgets/${encodeURIComponent(budget.id)}/status`);
    const from = new Date(status.period.startMs - 86_400_000).toISOString().slice(0, 10);
    const history = await api<HistoryExport>(
      'GET',
      `/v1/history?format=json&from=${from}&provider=${budget.scope.provider}`,
    );
    const level = status.thresholds.some((t) => t.crossed) ? 'warn' : 'ok';
    return h(
      'article',
      { class: `budget ${level}`, 'aria-labelledby': `b-${budget.id}` },
      h(
        'h3',
        { id: `b-${budget.id}` },
        budget.name,
        ' ',
        h('span', { class: 'badge' }, `${budget.scope.provider} · per ${budget.period}`),
      ),
      h(
        'p',
        { class: 'meter-line' },
        h('meter', {
          min: 0,
          max: status.limitMicros,
          value: Math.min(status.spentMicros, status.limitMicros),
          low: status.limitMicros * 0.8,
          high: status.limitMicros * 0.95,
          optimum: 0,
          'aria-label': `Spent ${status.percent}% of the limit`,
        }),
        ` ${usd(status.spentMicros)} of ${usd(status.limitMicros)} (${status.percent}%)`,
      ),
      spendChart(status, history.days),
      table(
        `Thresholds of ${budget.name}`,
        ['Threshold', 'Basis', 'Amount', 'Now', 'State'],
        status.thresholds.map((t) => [
          t.id,
          `${t.basis}${t.band ? ` ${t.band}` : ''}`,
          usd(t.amountMicros),
          usd(t.valueMicros),
          h(
            'span',
            { class: `badge ${t.crossed ? 'failed' : 'delivered'}` },
            t.crossed ? 'crossed' : 'below',
          ),
        ]),
      ),
      status.alerts.length
        ? table(
            `Alerts of ${budget.name}`,
            ['Sent', 'Alert', 'Channels'],
            status.alerts.map((a) => [
              dateTime(a.sentAt),
              a.subject,
              a.channels
                .map((c) => `${c.channel}: ${c.ok ? 'sent' : `failed (${c.error ?? 'error'})`}`)
                .join(', ') || '—',
            ]),
          )
        : h('p', { class: 'hint' }, 'No alerts sent for this budget yet.'),
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          onclick: () => void removeBudget(budget),
          'aria-label': `Delete budget ${budget.name}`,
        },
        'Delete budget',
      ),
    );
  }

  async function refresh(): Promise<void> {
    keys = (await api<{ keys: ProviderKeyView[] }>('GET', '/v1/keys')).keys;
    const { budgets } = await api<{ budgets: BudgetView[] }>('GET', '/v1/budgets');
    replace(
      keyList,
      keys.length === 0
        ? empty(
            'No provider keys yet.',
            'Add a read-only usage or admin key below; ClawPulsar only ever calls usage and billing endpoints with it.',
          )
        : table(
            'Provider keys',
            ['Label', 'Provider', 'Key', 'Last poll', ''],
            keys.map((k) => [
              h('strong', {}, k.label, k.simulated ? h('span', { class: 'badge' }, ' simulated') : null),
              k.provider,
              h('span', { class: 'mono' }, `${k.masked} ${k.fingerprint}`),
              k.lastPoll
                ? `${relative(k.lastPoll.lastPolledAt)}${k.lastPoll.ok ? '' : ` — ${k.lastPoll.error?.message ?? 'failed'}`}`
                : 'not yet',
              h(
                'div',
                { class: 'actions' },
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'secondary',
                    onclick: () => void rotateKey(k),
                    'aria-label': `Replace key ${k.label}`,
                  },
                  'Replace',
                ),
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger',
                    onclick: () => void removeKey(k),
                    'aria-label': `Delete key ${k.label}`,
                  },
                  'Delete',
                ),
              ),
            ]),
          ),
    );
    replace(
      budgetList,
      ...(budgets.length === 0
        ? [
            empty(
              'No budgets yet.',
              keys.length
                ? 'Add one below: a limit per day, week or month, with alerts before you reach it.'
                : 'Add a provider key first, then a budget below.',
            ),
          ]
        : await Promise.all(budgets.map(budgetCard))),
    );
  }

  replace(
    main,
    h('h1', {}, 'Keys & budgets'),
    section('Budgets', budgetList),
    section('Add a budget', budgetForm),
    section('Provider keys', keyList),
    section('Add a provider key', keyForm),
  );
  await refresh();
};

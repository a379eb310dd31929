import type { AgentView } from '../../../lambdas/core/management/AgentView.ts';
import type { SourceView } from '../../../lambdas/core/management/SourceView.ts';
import type { DeliveryLogEntry } from '../../../lambdas/core/ports.ts';
import { api } from '../api.ts';
import { announce, dateTime, empty, field, h, replace, section, table } from '../dom.ts';
import type { Page } from './Page.ts';

const POLL_MS = 2000;
const STATUSES = ['queued', 'delivered', 'failed', 'expired'] as const;

/** The delivery log, metadata only, filtered by agent, source and status, refreshed every 2 s. */
export const deliveriesPage: Page = async ({ main, onLeave }) => {
  const list = h('div', { id: 'deliveries-list' });
  const updated = h('p', { class: 'hint', id: 'deliveries-updated' });
  const agent = h('select', { name: 'agent' }, h('option', { value: '' }, 'All agents'));
  const source = h('select', { name: 'source' }, h('option', { value: '' }, 'All sources'));
  const status = h(
    'select',
    { name: 'status' },
    h('option', { value: '' }, 'Any status'),
    ...STATUSES.map((s) => h('option', { value: s }, s)),
  );
  const filters = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter deliveries' },
    field('Agent', agent),
    field('Source', source),
    field('Status', status),
  );
  filters.addEventListener('submit', (event) => event.preventDefault());
  let seen: Set<string> | undefined;

  async function options(): Promise<void> {
    const [{ agents }, { sources }] = await Promise.all([
      api<{ agents: AgentView[] }>('GET', '/v1/agents'),
      api<{ sources: SourceView[] }>('GET', '/v1/sources'),
    ]);
    for (const id of agents.map((a) => a.agentId)) agent.append(h('option', { value: id }, id));
    for (const id of [...new Set(sources.map((s) => s.sourceId))])
      source.append(h('option', { value: id }, id));
  }

  async function refresh(): Promise<void> {
    const query = new URLSearchParams({ limit: '200' });
    if (agent.value) query.set('agentId', agent.value);
    if (source.value) query.set('sourceId', source.value);
    if (status.value) query.set('status', status.value);
    const { deliveries } = await api<{ deliveries: DeliveryLogEntry[] }>('GET', `/v1/deliveries?${query}`);
    const fresh = seen ? deliveries.filter((d) => !seen?.has(d.envelopeId)).length : 0;
    seen = new Set(deliveries.map((d) => d.envelopeId));
    updated.textContent = `Updated ${dateTime(Date.now()).slice(11)} · refreshes every ${POLL_MS / 1000} s`;
    if (fresh > 0) announce(`${fresh} new deliver${fresh === 1 ? 'y' : 'ies'}`);
    if (deliveries.length === 0) {
      replace(
        list,
        empty(
          agent.value || source.value || status.value
            ? 'No deliveries match these filters.'
            : 'No deliveries yet.',
          'Webhooks appear here as they arrive. Send a test from your provider to a source’s webhook URL, or see the README for a signed curl example.',
        ),
      );
      return;
    }
    replace(
      list,
      table(
        'Deliveries, newest first',
        [
          'Received',
          'Agent',
          'Source',
          'Provider',
          'Delivery id',
          'Size',
          'Status',
          'Code',
          'Attempts',
          'Latency',
        ],
        deliveries.map((d) => [
          dateTime(d.receivedAt),
          d.agentId,
          d.sourceId,
          d.provider,
          h('span', { class: 'mono' }, d.deliveryId),
          `${d.sizeBytes} B`,
          h('span', { class: `badge ${d.status}` }, d.status),
          d.statusCode ?? '—',
          d.attempts,
          d.latencyMs !== undefined ? `${d.latencyMs} ms` : '—',
        ]),
      ),
    );
  }

  for (const select of [agent, source, status]) select.addEventListener('change', () => void refresh());
  replace(
    main,
    h('h1', {}, 'Deliveries'),
    h('p', { class: 'note' }, 'Metadata only: bodies and header values never leave the sealed envelope.'),
    filters,
    updated,
    section('Delivery log', list),
  );
  await options();
  await refresh();
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') void refresh().catch(() => undefined);
  }, POLL_MS);
  onLeave(() => clearInterval(timer));
};

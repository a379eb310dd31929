import type { AgentView } from '../../../lambdas/core/management/AgentView.ts';
import type { SourceView } from '../../../lambdas/core/management/SourceView.ts';
import { PROVIDER_IDS } from '../../../lambdas/core/signatures/types.ts';
import { api } from '../api.ts';
import {
  announce,
  copyable,
  dateTime,
  empty,
  field,
  formStatus,
  h,
  replace,
  section,
  table,
} from '../dom.ts';
import type { Page } from './Page.ts';

/** Sources: webhook URLs to paste into providers, secrets only as fingerprints, rotate and remove. */
export const sourcesPage: Page = async ({ main }) => {
  const list = h('div', { id: 'sources-list' });
  const status = formStatus();
  const agent = h('select', { name: 'agent', required: true });
  const sourceId = h('input', {
    name: 'sourceId',
    required: true,
    pattern: '[a-z0-9][a-z0-9\\-]{2,62}',
    placeholder: 'github',
    autocomplete: 'off',
  });
  const provider = h(
    'select',
    { name: 'provider', required: true },
    ...PROVIDER_IDS.filter((p) => p !== 'generic').map((p) => h('option', { value: p }, p)),
  );
  const secret = h('input', { name: 'secret', type: 'password', required: true, autocomplete: 'off' });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Add a source' },
    field('Agent', agent),
    field('Source id', sourceId, 'Part of the webhook URL, e.g. github'),
    field('Provider', provider),
    field('Signing secret', secret, 'Stored encrypted; only its fingerprint is shown again'),
    h('button', { type: 'submit' }, 'Add source'),
    status.element,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.clear();
    try {
      const view = await api<SourceView>(
        'PUT',
        `/v1/agents/${encodeURIComponent(agent.value)}/sources/${encodeURIComponent(sourceId.value.trim())}`,
        { provider: provider.value, secrets: [secret.value] },
      );
      secret.value = '';
      status.ok(`Source "${view.sourceId}" is ready: paste its webhook URL into ${view.provider}.`);
      await refresh();
    } catch (error) {
      status.error((error as Error).message);
    }
  });

  async function rotate(source: SourceView): Promise<void> {
    const next = window.prompt(
      `New signing secret for "${source.sourceId}" (the current one stays valid until you remove it):`,
    );
    if (!next) return;
    try {
      const view = await api<SourceView>(
        'POST',
        `/v1/agents/${encodeURIComponent(source.agentId)}/sources/${encodeURIComponent(source.sourceId)}/rotate`,
        { secret: next, keepPrevious: true },
      );
      announce(`Source ${view.sourceId} now accepts ${view.secretFingerprints.length} secrets`);
      await refresh();
    } catch (error) {
      window.alert((error as Error).message);
    }
  }

  async function remove(source: SourceView): Promise<void> {
    if (
      !window.confirm(
        `Remove source "${source.sourceId}" of ${source.agentId}? Its webhook URL will answer 404.`,
      )
    )
      return;
    try {
      await api(
        'DELETE',
        `/v1/agents/${encodeURIComponent(source.agentId)}/sources/${encodeURIComponent(source.sourceId)}`,
      );
      announce(`Source ${source.sourceId} removed`);
      await refresh();
    } catch (error) {
      window.alert((error as Error).message);
    }
  }

  async function refresh(): Promise<void> {
    const [{ sources }, { agents }] = await Promise.all([
      api<{ sources: SourceView[] }>('GET', '/v1/sources'),
      api<{ agents: AgentView[] }>('GET', '/v1/agents'),
    ]);
    const active = agents.filter((a) => a.status !== 'revoked');
    const chosen = agent.value;
    replace(
      agent,
      ...active.map((a) => h('option', { value: a.agentId, selected: a.agentId === chosen }, a.agentId)),
    );
    if (sources.length === 0) {
      replace(
        list,
        active.length === 0
          ? empty(
              'No sources yet, and no agent to receive them.',
              'Create an agent first on the Agents page, or run ',
              h('code', {}, 'clawpulsar onboard'),
              '.',
            )
          : empty(
              'No sources yet.',
              'Add one below: a provider endpoint for one agent. You get the webhook URL to paste into the provider.',
            ),
      );
      return;
    }
    replace(
      list,
      table(
        'Sources',
        ['Agent', 'Source', 'Provider', 'Webhook URL', 'Secrets', 'Updated', ''],
        sources.map((s) => [
          s.agentId,
          h('strong', {}, s.sourceId),
          s.provider,
          copyable(s.webhookUrl, `Webhook URL of ${s.sourceId}`),
          h('span', { class: 'mono' }, s.secretFingerprints.join(' ')),
          dateTime(s.updatedAt),
          h(
            'div',
            { class: 'actions' },
            h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                onclick: () => void rotate(s),
                'aria-label': `Rotate the secret of ${s.sourceId}`,
              },
              'Rotate secret',
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'danger',
                onclick: () => void remove(s),
                'aria-label': `Remove ${s.sourceId}`,
              },
              'Remove',
            ),
          ),
        ]),
      ),
    );
  }

  replace(
    main,
    h('h1', {}, 'Sources'),
    h(
      'p',
      { class: 'note' },
      'Where a source’s webhooks go on the agent’s machine lives in that agent’s own config, never here: ',
      h('code', {}, 'clawpulsar agent route add --source <id> --target http://127.0.0.1:18789/hooks/<name>'),
      '.',
    ),
    section('Sources', list),
    section('Add a source', form),
  );
  await refresh();
};

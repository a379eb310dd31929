import type { AgentView } from '../../../lambdas/core/management/AgentView.ts';
import type { CreatedToken } from '../../../lambdas/core/management/createAgentToken.ts';
import { api } from '../api.ts';
import {
  announce,
  copyable,
  dateTime,
  empty,
  field,
  formStatus,
  h,
  relative,
  replace,
  section,
  table,
} from '../dom.ts';
import type { Page } from './Page.ts';

/** Agents: presence, last seen, certificate expiry, revoke; and new registration tokens. */
export const agentsPage: Page = async ({ main, edgeUrl, onLeave }) => {
  const list = h('div', { id: 'agents-list' });
  const tokenOut = h('div', { id: 'token-output' });
  const status = formStatus();
  const agentId = h('input', {
    name: 'agentId',
    required: true,
    pattern: '[a-z0-9][a-z0-9\\-]{2,62}',
    autocomplete: 'off',
    placeholder: 'my-laptop',
  });
  const ttl = h('input', { name: 'ttl', type: 'number', min: 1, max: 1440, value: 15, required: true });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'New registration token' },
    field('Agent id', agentId, '3–63 lower-case letters, digits or dashes'),
    field('Valid for (minutes)', ttl),
    h('button', { type: 'submit' }, 'Create token'),
    status.element,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.clear();
    try {
      const created = await api<CreatedToken>('POST', '/v1/tokens', {
        agentId: agentId.value.trim(),
        ttlMinutes: Number(ttl.value),
      });
      replace(
        tokenOut,
        h(
          'p',
          {},
          `One-time token for "${created.agentId}", valid until ${dateTime(created.expiresAt)}. It is shown only now. On the agent's machine run:`,
        ),
        copyable(
          `clawpulsar agent register --edge ${edgeUrl} --token ${created.token}`,
          'Registration command',
        ),
      );
      status.ok('Token created.');
      await refresh();
    } catch (error) {
      status.error((error as Error).message);
    }
  });

  async function revoke(agent: AgentView): Promise<void> {
    if (
      !window.confirm(
        `Revoke agent "${agent.agentId}"? Its certificates stop working at once and its webhook URLs answer 404.`,
      )
    )
      return;
    try {
      await api('POST', `/v1/agents/${encodeURIComponent(agent.agentId)}/revoke`);
      announce(`Agent ${agent.agentId} revoked`);
      await refresh();
    } catch (error) {
      window.alert((error as Error).message);
    }
  }

  async function refresh(): Promise<void> {
    const { agents } = await api<{ agents: AgentView[] }>('GET', '/v1/agents');
    if (agents.length === 0) {
      replace(
        list,
        empty(
          'No agents yet.',
          'Run ',
          h('code', {}, 'clawpulsar onboard'),
          ' on the machine that runs OpenClaw, or ',
          h('code', {}, 'clawpulsar token create --agent my-laptop'),
          ', or create a token below.',
        ),
      );
      return;
    }
    const now = Date.now();
    replace(
      list,
      table(
        'Agents',
        ['Agent', 'Status', 'Online', 'Last seen', 'Certificate expires', 'Host', ''],
        agents.map((a) => [
          h('strong', {}, a.agentId),
          h('span', { class: `badge ${a.status}` }, a.status),
          h('span', { class: a.online ? 'dot on' : 'dot off' }, a.online ? 'online' : 'offline'),
          a.lastSeen
            ? h(
                'time',
                { datetime: new Date(a.lastSeen).toISOString(), title: dateTime(a.lastSeen) },
                relative(a.lastSeen, now),
              )
            : 'never',
          a.certificateExpiresAt
            ? h(
                'time',
                {
                  datetime: new Date(a.certificateExpiresAt).toISOString(),
                  title: dateTime(a.certificateExpiresAt),
                },
                relative(a.certificateExpiresAt, now),
              )
            : '—',
          a.hostname ?? '—',
          a.status === 'revoked'
            ? ''
            : h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  onclick: () => void revoke(a),
                  'aria-label': `Revoke ${a.agentId}`,
                },
                'Revoke',
              ),
        ]),
      ),
    );
  }

  replace(
    main,
    h('h1', {}, 'Agents'),
    section('Registered agents', list),
    section('New registration token', form, tokenOut),
  );
  await refresh();
  const timer = setInterval(() => void refresh().catch(() => undefined), 5000);
  onLeave(() => clearInterval(timer));
};

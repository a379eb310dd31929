/**
 * The dashboard page: a client of the management API through `/dashboard/api/…`, signed in by a cookie
 * the browser can't read. Pages are chosen by the URL's hash so every view has its own address.
 */
import { ApiError, api } from './api.ts';
import { empty, h, replace } from './dom.ts';
import { agentsPage } from './pages/agentsPage.ts';
import { budgetsPage } from './pages/budgetsPage.ts';
import { deliveriesPage } from './pages/deliveriesPage.ts';
import { historyPage } from './pages/historyPage.ts';
import type { Page } from './pages/Page.ts';
import { sourcesPage } from './pages/sourcesPage.ts';

const PAGES: Readonly<Record<string, Page>> = {
  agents: agentsPage,
  sources: sourcesPage,
  deliveries: deliveriesPage,
  budgets: budgetsPage,
  history: historyPage,
};

let leave: (() => void)[] = [];

async function show(edgeUrl: string): Promise<void> {
  for (const stop of leave.splice(0)) stop();
  const name = location.hash.slice(1) in PAGES ? location.hash.slice(1) : 'agents';
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    if (link.dataset.page === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const main = document.getElementById('main') as HTMLElement;
  document.title = `${document.querySelector(`nav a[data-page="${name}"]`)?.textContent ?? 'Agents'} · ClawPulsar`;
  const mine: (() => void)[] = [];
  leave = mine;
  try {
    await (PAGES[name] as Page)({ main, edgeUrl, onLeave: (stop) => mine.push(stop) });
  } catch (error) {
    replace(main, failure(error));
  }
}

function failure(error: unknown): HTMLElement {
  if (error instanceof ApiError && error.status === 401) return signedOut();
  return empty('Something went wrong.', error instanceof Error ? error.message : String(error));
}

function signedOut(): HTMLElement {
  return empty(
    'You are signed out.',
    'Get a one-time login link on this machine: ',
    h('code', {}, 'clawpulsar dashboard --open-link'),
    ' (dashboard on the edge) or ',
    h('code', {}, 'clawpulsar dashboard'),
    '.',
  );
}

async function start(): Promise<void> {
  const main = document.getElementById('main') as HTMLElement;
  let context: { edgeUrl: string };
  try {
    context = await api<{ edgeUrl: string }>('GET', '/context');
  } catch (error) {
    replace(main, failure(error));
    return;
  }
  const edge = document.getElementById('edge-url');
  if (edge) edge.textContent = `Edge: ${context.edgeUrl}`;
  window.addEventListener('hashchange', () => {
    void show(context.edgeUrl);
    main.focus();
  });
  await show(context.edgeUrl);
}

void start();

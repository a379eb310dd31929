import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { DashboardGateway } from '../../lambdas/edge/dashboard/DashboardGateway.ts';
import { DashboardSessions } from '../../lambdas/edge/dashboard/DashboardSessions.ts';
import { DashboardAssets, defaultDashboardAssetsDir } from '../../lambdas/edge/dashboard/dashboardAssets.ts';
import { proxyToManagement } from '../cli/dashboard/proxyToManagement.ts';
import { ManagementClient, ManagementError } from '../cli/ManagementClient.ts';
import type { ManagementTarget } from '../cli/ManagementTarget.ts';
import { type ManagementOptions, when, withManagementOptions } from '../cli/managementCommand.ts';
import { EXIT, print, printError } from '../cli/output.ts';
import { resolveManagementTarget } from '../cli/resolveManagementTarget.ts';

interface DashboardOptions extends ManagementOptions {
  port: string;
  openLink?: boolean;
  open?: boolean;
}

/**
 * `clawpulsar dashboard`: the web dashboard on 127.0.0.1, either served here with API calls proxied
 * server-side with the operator's credentials (default: the edge's token, or AWS credentials with
 * `--stack`), or, with `--open-link`, served by the local edge itself, reached through a one-time login
 * link the edge issues.
 */
export function registerDashboard(program: Command): void {
  withManagementOptions(
    program
      .command('dashboard')
      .description(
        'the web dashboard on 127.0.0.1: agents, sources, deliveries, budgets (prints a one-time login link)',
      )
      .option('--port <port>', 'port of the dashboard on 127.0.0.1', '7701')
      .option('--open-link', "don't serve it here: print a one-time login link to the edge's own /dashboard/")
      .option('--open', 'also open the link in the default browser'),
  ).action(async (options: DashboardOptions) => {
    let target: ManagementTarget;
    try {
      target = await resolveManagementTarget(options);
    } catch (error) {
      printError(options, error);
      process.exitCode = EXIT.usage;
      return;
    }
    if (options.openLink) return edgeLink(options, target);
    await serve(options, target);
  });
}

async function edgeLink(options: DashboardOptions, target: ManagementTarget): Promise<void> {
  try {
    const link = await new ManagementClient(target).request<{ url: string; expiresAt: number }>(
      'POST',
      '/v1/dashboard/links',
      {},
    );
    print(
      options,
      link,
      `Open the dashboard (this link works once, until ${when(link.expiresAt)}):\n  ${link.url}`,
    );
    if (options.open) openInBrowser(link.url);
  } catch (error) {
    printError(
      options,
      error instanceof ManagementError && error.status === 404
        ? new Error(
            'This edge does not serve the dashboard itself; run `clawpulsar dashboard` to serve it from here.',
          )
        : error,
    );
    process.exitCode = EXIT.failed;
  }
}

async function serve(options: DashboardOptions, target: ManagementTarget): Promise<void> {
  const assets = DashboardAssets.load(defaultDashboardAssetsDir());
  const gateway = new DashboardGateway({
    assets,
    sessions: new DashboardSessions(),
    edgeUrl: () => target.edgeUrl,
    variant: 'proxy',
    forward: proxyToManagement(target),
  });
  const server = createServer({ requestTimeout: 30_000 }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    if (url.pathname === '/') {
      res.writeHead(302, { location: '/dashboard/' }).end();
      return;
    }
    if (!gateway.matches(url.pathname)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    gateway.handle(req, res, url).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal error');
      else res.destroy();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(Number(options.port), '127.0.0.1', () => resolve());
    });
  } catch (error) {
    printError(
      options,
      (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
        ? new Error(`Port ${options.port} is in use: pass --port <another>`)
        : error,
    );
    process.exitCode = EXIT.failed;
    return;
  }
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const link = gateway.loginLink(url);
  const summary = {
    status: 'running',
    url: `${url}/dashboard/`,
    loginUrl: link.url,
    expiresAt: link.expiresAt,
    edge: target.url,
  };
  if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    process.stdout.write(
      [
        `Dashboard for ${target.url} on ${url}/dashboard/ (Ctrl-C to stop).`,
        `Sign in with this one-time link (valid until ${when(link.expiresAt)}):`,
        `  ${link.url}`,
        '',
      ].join('\n'),
    );
  }
  if (options.open) openInBrowser(link.url);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Opens a URL with the desktop's handler; a headless machine simply has none, and the link is printed. */
function openInBrowser(url: string): void {
  const opener =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
  child.on('error', () =>
    process.stderr.write(`clawpulsar: could not start ${opener}; open the link yourself\n`),
  );
  child.unref();
}

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign as signGithub } from '@octokit/webhooks-methods';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { CliProcess, cli } from '../support/cliProcess.ts';
import { RecordingTarget } from '../support/RecordingTarget.ts';

/**
 * The web dashboard in headless Chromium against a real local edge (with the simulated usage provider
 * for the budget chart), a real agent registered and run through the CLI, and a signed webhook.
 * Screenshots go to test-artifacts/ (ignored by git).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const GITHUB_SECRET = 'gh-dashboard-secret-CANARY-91b2';
const WAIT = { timeout: 30_000 };

let root: string;
let edge: CliProcess;
let agent: CliProcess | undefined;
let proxy: CliProcess | undefined;
let edgeUrl: string;
let target: RecordingTarget;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];
/** Registration tokens the page handed out, to look for in the logs. */
const issued: string[] = [];

async function edgeLoginLink(): Promise<string> {
  const link = await cli(['dashboard', '--open-link', '--data-dir', join(root, 'edge'), '--json']);
  expect(link.code, link.stderr).toBe(0);
  return String(link.json.url);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cp-dashboard-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  target = await RecordingTarget.start();
  edge = new CliProcess(
    [
      'dev',
      '--data-dir',
      join(root, 'edge'),
      '--port',
      '0',
      '--tunnel-port',
      '0',
      '--json',
      '--simulated-provider',
    ],
    { CLAWPULSAR_LOG_DIR: join(root, 'logs') },
  );
  edgeUrl = JSON.parse((await edge.waitFor(/\{"status":"running".*\}/, 60_000))[0]).url;
  context = await chromium.launchPersistentContext(join(root, 'browser'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await proxy?.stop();
  await agent?.stop();
  await edge?.stop();
  await target?.close();
  rmSync(root, { recursive: true, force: true });
}, 60_000);

describe('web dashboard', () => {
  it('signs in with a one-time link, which then stops working', async () => {
    // Prepare
    const link = await edgeLoginLink();

    // Act
    await page.goto(link);

    // Assess: the code left the address bar, the page loaded with the empty state.
    expect(new URL(page.url()).pathname).toBe('/dashboard/');
    expect(page.url()).not.toContain('code=');
    await page.getByText('No agents yet.').waitFor(WAIT);
    await expect(page.getByText('clawpulsar token create --agent my-laptop').isVisible()).resolves.toBe(true);
    const cookies = await context.cookies(`${edgeUrl}/dashboard/`);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/dashboard' });
    const again = await fetch(link);
    expect(again.status).toBe(401);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-agents-empty.png'), fullPage: true });
  }, 120_000);

  it('creates a registration token that registers an agent through the CLI', async () => {
    // Act
    await page.getByLabel('Agent id').fill('dash-laptop');
    await page.getByRole('button', { name: 'Create token' }).click();
    const command = await page.getByLabel('Registration command').inputValue(WAIT);
    const token = /--token (cpreg_\S+)/.exec(command)?.[1] as string;
    issued.push(token);
    const registered = await cli([
      'agent',
      'register',
      '--edge',
      edgeUrl,
      '--token',
      token,
      '--dir',
      join(root, 'agent'),
      '--json',
    ]);

    // Assess
    expect(command).toBe(`clawpulsar agent register --edge ${edgeUrl} --token ${token}`);
    expect(registered.code, registered.stderr).toBe(0);
    await page.reload();
    await page.locator('#agents-list strong').getByText('dash-laptop', { exact: true }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Revoke dash-laptop' }).waitFor(WAIT);
  }, 120_000);

  it('adds a source and shows its webhook URL with a copy button and the secret only as a fingerprint', async () => {
    // Act
    await page.getByRole('link', { name: 'Sources' }).click();
    await page.getByLabel('Source id').fill('github');
    await page.getByLabel('Provider').selectOption('github');
    await page.getByLabel('Agent').selectOption('dash-laptop');
    await page.getByLabel('Signing secret').fill(GITHUB_SECRET);
    await page.getByRole('button', { name: 'Add source' }).click();

    // Assess
    const url = await page.getByLabel('Webhook URL of github').inputValue(WAIT);
    expect(url).toBe(`${edgeUrl}/v1/hooks/dash-laptop/github`);
    await expect(page.locator('main').textContent()).resolves.not.toContain(GITHUB_SECRET);
    await expect(page.locator('main').textContent()).resolves.toMatch(/sha256:[0-9a-f]{8}/);
    await page.getByRole('button', { name: 'Copy' }).first().waitFor(WAIT);
    await page.getByText('lives in that agent’s own config').waitFor(WAIT);
  }, 120_000);

  it('shows a signed webhook in the delivery log, live, until the agent delivered it', async () => {
    // Prepare: route the source on the agent's side, and run the agent.
    const routed = await cli([
      'agent',
      'route',
      'add',
      '--dir',
      join(root, 'agent'),
      '--source',
      'github',
      '--target',
      `http://127.0.0.1:${target.port}/hooks/github`,
    ]);
    expect(routed.code, routed.stderr).toBe(0);
    await page.getByRole('link', { name: 'Deliveries' }).click();
    await page.getByText('No deliveries yet.').waitFor(WAIT);

    // Act
    const body = JSON.stringify({ zen: 'Design for failure.' });
    const posted = await fetch(`${edgeUrl}/v1/hooks/dash-laptop/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': await signGithub(GITHUB_SECRET, body),
        'x-github-delivery': 'dash-delivery-1',
        'x-github-event': 'ping',
      },
      body,
    });
    agent = new CliProcess(['agent', 'run', '--dir', join(root, 'agent')], {
      CLAWPULSAR_LOG_DIR: join(root, 'logs'),
    });

    // Assess: the row appears by itself (polling), then turns delivered.
    expect(posted.status).toBe(200);
    const row = page.getByRole('row').filter({ hasText: 'dash-delivery-1' });
    await row.waitFor(WAIT);
    await row.getByText('delivered').waitFor({ timeout: 60_000 });
    await expect(row.getByText('200').count()).resolves.toBeGreaterThan(0);
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No deliveries match these filters.').waitFor(WAIT);
    await page.getByLabel('Status').selectOption('delivered');
    await row.waitFor(WAIT);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-deliveries.png'), fullPage: true });
  }, 120_000);

  it('draws spend against the limit with threshold lines and the forecast band (uPlot)', async () => {
    // Act
    await page.getByRole('link', { name: 'Keys & budgets' }).click();

    // Assess
    await page.getByRole('heading', { name: /SIMULATED demo budget/ }).waitFor(WAIT);
    const chart = page.locator('figure.chart').first();
    await chart.locator('canvas').waitFor(WAIT);
    const box = await chart.locator('canvas').boundingBox();
    expect(box?.width).toBeGreaterThan(200);
    const legend = await chart.locator('.u-legend').textContent();
    for (const series of [
      'Spent',
      'Forecast P50',
      'Forecast P90',
      'Limit',
      'Threshold half (actual)',
      'Threshold p80 (actual)',
    ]) {
      expect(legend).toContain(series);
    }
    await expect(chart.locator('figcaption').textContent()).resolves.toMatch(/Spent \$[\d,.]+ of \$100\.00/);
    await page.getByRole('cell', { name: 'simulated' }).first().waitFor(WAIT);
    await expect(page.locator('main').textContent()).resolves.toMatch(/…\w{4} sha256:[0-9a-f]{8}/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-budgets.png'), fullPage: true });
  }, 120_000);

  it('exports the spend history as CSV and deletes it after asking', async () => {
    // Prepare
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByRole('button', { name: 'Download' }).waitFor(WAIT);

    // Act
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download' }).click(),
    ]);
    const csv = readFileSync((await download.path()) as string, 'utf8');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete history' }).click();
    await page.getByText(/Deleted \d+ days? of history\./).waitFor(WAIT);
    const after = await page.evaluate(async () => {
      const response = await fetch('api/v1/history?format=json', {
        headers: { 'x-clawpulsar-dashboard': '1' },
      });
      return (await response.json()) as { days: unknown[] };
    });

    // Assess
    expect(download.suggestedFilename()).toBe('clawpulsar-history.csv');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('date,provider,key_id,amount_usd,amount_micros');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[1]).toMatch(/^\d{4}-\d{2}-\d{2},openai,key-[0-9a-f]{16},\d+\.\d+,\d+$/);
    expect(after.days).toEqual([]);
  }, 120_000);

  it('fits a phone-sized window and is usable from the keyboard', async () => {
    // Act
    await page.setViewportSize({ width: 390, height: 844 });
    onTestFinished(() => page.setViewportSize({ width: 1280, height: 900 }));
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.locator('#agents-list strong').getByText('dash-laptop', { exact: true }).waitFor(WAIT);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-phone.png'), fullPage: true });
    await page.reload();
    await page.locator('#agents-list strong').getByText('dash-laptop', { exact: true }).waitFor(WAIT);
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement?.textContent);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const nav = await page.evaluate(() => document.activeElement?.getAttribute('href'));
    await page.keyboard.press('Enter');

    // Assess
    expect(overflow).toBeLessThanOrEqual(0);
    expect(first).toBe('Skip to content');
    expect(nav).toBe('#sources');
    await page.getByRole('heading', { name: 'Sources', level: 1 }).waitFor(WAIT);
  }, 120_000);

  it('serves the same page from `clawpulsar dashboard`, proxying the API with the token server-side', async () => {
    // Prepare
    proxy = new CliProcess(['dashboard', '--port', '0', '--data-dir', join(root, 'edge'), '--json']);
    const summary = JSON.parse((await proxy.waitFor(/\{"status":"running".*\}/, 30_000))[0]) as {
      loginUrl: string;
      url: string;
    };

    // Act
    const before = await fetch(`${summary.url}api/v1/agents`, { headers: { 'x-clawpulsar-dashboard': '1' } });
    await page.goto(summary.loginUrl);

    // Assess
    expect(before.status).toBe(401);
    await page.locator('#agents-list strong').getByText('dash-laptop', { exact: true }).waitFor(WAIT);
    await expect(page.locator('#edge-url').textContent()).resolves.toBe(`Edge: ${edgeUrl}`);
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.headers().authorization ?? ''));
    await page.reload();
    await page.locator('#agents-list strong').getByText('dash-laptop', { exact: true }).waitFor(WAIT);
    expect(requests.every((header) => header === '')).toBe(true);
  }, 120_000);

  it('left JSON log lines under the log dir with no secret in them, readable with clawpulsar logs', async () => {
    // Prepare: every secret this test handled.
    const managementToken = readFileSync(join(root, 'edge', 'management.token'), 'utf8').trim();
    const canaries = [GITHUB_SECRET, managementToken, ...issued, 'Design for failure.'];

    // Act
    const edgeLog = await cli([
      'logs',
      '--json',
      '--component',
      'edge',
      '--lines',
      '10000',
      '--log-dir',
      join(root, 'logs'),
    ]);
    const human = await cli(['logs', '--lines', '5', '--log-dir', join(root, 'logs')]);

    // Assess
    const files = readdirSync(join(root, 'logs'));
    expect(files.sort()).toEqual(['agent.log', 'edge.log']);
    for (const file of files) {
      const text = readFileSync(join(root, 'logs', file), 'utf8');
      expect(text.length).toBeGreaterThan(0);
      for (const canary of canaries) expect(text).not.toContain(canary);
      for (const line of text.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
      expect(statSync(join(root, 'logs', file)).mode & 0o777).toBe(0o600);
    }
    const events = edgeLog.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).event as string);
    expect(events).toContain('registration_token_created');
    expect(human.stdout.trim().split('\n')).toHaveLength(5);
    expect(human.stdout).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} (edge |agent)/m);
  }, 120_000);

  it('raised no script or content-security-policy errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});

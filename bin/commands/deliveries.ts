import type { Command } from 'commander';
import type { DeliveryLogEntry } from '../../lambdas/core/ports.ts';
import {
  type ManagementOptions,
  runManagement,
  table,
  when,
  withManagementOptions,
} from '../cli/managementCommand.ts';
import { print } from '../cli/output.ts';

interface DeliveryOptions extends ManagementOptions {
  agent?: string;
  source?: string;
  status?: string;
  limit: string;
}

/** `clawpulsar deliveries list`: the delivery log (metadata only). */
export function registerDeliveries(program: Command): void {
  const deliveries = program
    .command('deliveries')
    .description('the delivery log: metadata only, never bodies');
  withManagementOptions(
    deliveries
      .command('list')
      .description('recent deliveries, newest first')
      .option('--agent <id>', 'only this agent')
      .option('--source <id>', 'only this source')
      .option('--status <status>', 'queued, delivered, failed or expired')
      .option('--limit <n>', 'how many (1-1000)', '50'),
  ).action(async (options: DeliveryOptions) => {
    await runManagement(options, async (client) => {
      const query = new URLSearchParams({ limit: options.limit });
      if (options.agent) query.set('agentId', options.agent);
      if (options.source) query.set('sourceId', options.source);
      if (options.status) query.set('status', options.status);
      const { deliveries: list } = await client.request<{ deliveries: DeliveryLogEntry[] }>(
        'GET',
        `/v1/deliveries?${query}`,
      );
      const human = list.length
        ? table(
            ['RECEIVED', 'AGENT', 'SOURCE', 'STATUS', 'CODE', 'ATTEMPTS', 'BYTES', 'LATENCY', 'DELIVERY ID'],
            list.map((d) => [
              when(d.receivedAt),
              d.agentId,
              d.sourceId,
              d.status,
              d.statusCode?.toString() ?? '-',
              String(d.attempts),
              String(d.sizeBytes),
              d.latencyMs === undefined ? '-' : `${d.latencyMs} ms`,
              d.deliveryId,
            ]),
          )
        : 'No deliveries yet. Point a provider at a source URL (clawpulsar source list) and send a test event.';
      print(options, { deliveries: list }, human);
    });
  });
}

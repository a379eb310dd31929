import type { Command } from 'commander';
import { createJsonLogger } from '../../lambdas/core/logging/createJsonLogger.ts';
import { redactingWriter } from '../../lambdas/core/logging/redactSecretValues.ts';
import { defaultEdgeDir } from '../../lambdas/edge/edgePaths.ts';
import { startEdge } from '../../lambdas/edge/startEdge.ts';
import { LineBuffer } from '../cli/logs/LineBuffer.ts';
import { openLogFile } from '../cli/logs/openLogFile.ts';
import { EXIT, printError } from '../cli/output.ts';
import { parseDuration } from '../cli/parseDuration.ts';

interface DevOptions {
  dataDir?: string;
  host: string;
  port: string;
  tunnelPort: string;
  publicUrl?: string;
  json?: boolean;
  quiet?: boolean;
  logDir?: string;
  pollInterval: number;
  simulatedProvider?: boolean;
}

/** `clawpulsar dev`: runs the local edge in this process (what `npm start` runs). */
export function registerDev(program: Command): void {
  program
    .command('dev')
    .description(
      'run the local edge: ingress, registration, management API and the mTLS tunnel, in one process',
    )
    .option('--data-dir <dir>', 'where state lives (default ~/.clawpulsar/edge)')
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'HTTP port for webhooks and the management API', '7700')
    .option('--tunnel-port <port>', 'MQTT over mutual TLS port for agents', '8883')
    .option(
      '--public-url <url>',
      'the URL providers call, when you publish the edge through a tunnel or proxy',
    )
    .option('--json', 'print the startup summary as JSON')
    .option('--quiet', 'no log lines on stderr')
    .option(
      '--log-dir <dir>',
      'where edge.log is written (default $CLAWPULSAR_LOG_DIR or ~/.clawpulsar/logs)',
    )
    .option('--poll-interval <duration>', 'time between budget polls, e.g. 30s or 5m', parseDuration, 300_000)
    .option(
      '--simulated-provider',
      'budget demo: start a SIMULATED provider with a demo key and budget whose alerts go to every agent',
    )
    .action(async (options: DevOptions) => {
      const file = openLogFile('edge', options.logDir);
      const stderrLines = new LineBuffer((lines) => process.stderr.write(lines.join('')));
      const stderr = redactingWriter((line) => stderrLines.push(line));
      const logger = createJsonLogger(
        (line) => {
          if (!options.quiet) stderr(line);
          file.write(line);
        },
        { component: 'edge' },
      );
      const dataDir = options.dataDir ?? defaultEdgeDir();
      let edge: Awaited<ReturnType<typeof startEdge>>;
      try {
        edge = await startEdge({
          dataDir,
          host: options.host,
          port: Number(options.port),
          tunnelPort: Number(options.tunnelPort),
          ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
          logger,
          pollIntervalMs: options.pollInterval,
          ...(options.simulatedProvider ? { simulatedProvider: true } : {}),
        });
      } catch (error) {
        const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
        printError(
          options,
          inUse
            ? new Error('A port is in use: is another edge running? Stop it or pass --port / --tunnel-port.')
            : error,
        );
        process.exitCode = EXIT.failed;
        return;
      }
      const summary = {
        status: 'running',
        url: edge.url,
        publicUrl: edge.publicUrl,
        webhookBaseUrl: `${edge.publicUrl}/v1/hooks`,
        tunnel: `mqtts://${options.host}:${edge.tunnelPort}`,
        dataDir: edge.dataDir,
        managementTokenFile: edge.managementTokenFile,
        budgetPollIntervalMs: options.pollInterval,
        ...(edge.simulated ? { simulatedProvider: { ...edge.simulated, simulated: true } } : {}),
        logFile: file.path,
      };
      if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else {
        process.stdout.write(
          [
            'ClawPulsar local edge is running.',
            `  webhooks + API   ${edge.url}  (providers call ${summary.webhookBaseUrl}/{agent}/{source})`,
            `  agent tunnel     ${summary.tunnel}  (MQTT over mutual TLS, 24 h certificates)`,
            `  data             ${edge.dataDir}`,
            `  logs             ${file.path}  (clawpulsar logs --follow)`,
            `  budgets          polled every ${Math.round(options.pollInterval / 1000)} s (clawpulsar budget list)`,
            ...(edge.simulated
              ? [
                  `  SIMULATED        provider ${edge.simulated.url}, demo key ${edge.simulated.keyId}, budget ${edge.simulated.budgetId}`,
                  '                   (generated spend, not real provider data; alerts go to every agent)',
                ]
              : []),
            '',
            'Next: create a registration token for your agent, in another terminal:',
            '  npx clawpulsar token create --agent my-laptop',
            '',
          ].join('\n'),
        );
      }
      const stop = async () => {
        logger.info('edge_stopping');
        // A clean close commits pending writes and says goodbye to agents; it must not hang the stop.
        setTimeout(() => process.exit(0), 5_000).unref();
        await edge.close();
        file.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}

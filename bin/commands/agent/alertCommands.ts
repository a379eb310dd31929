import type { Command } from 'commander';
import { type AlertsConfig, alertsSchema } from '../../../agent/config/agentConfig.ts';
import { readAgentConfig, writeAgentConfig } from '../../../agent/config/agentConfigFile.ts';
import { agentPaths } from '../../../agent/home/agentPaths.ts';
import { BadRequestError } from '../../../lambdas/core/errors.ts';
import { zodMessage } from '../../../lambdas/core/registration/zodMessage.ts';
import { print, UsageError } from '../../cli/output.ts';
import { type AgentCommandOptions, agentAction, withAgentOptions } from './agentAction.ts';
import { parseHeader } from './routeCommands.ts';

interface SetOptions extends AgentCommandOptions {
  action?: string;
  url?: string;
  header: string[];
  command?: string;
  pauseCommand?: string;
  pauseAt?: string;
  pause?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** A command as argv: a JSON array of strings, or words split on spaces (no shell involved). */
function argv(text: string, option: string): string[] {
  if (text.trim().startsWith('[')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (Array.isArray(parsed) && parsed.every((part) => typeof part === 'string')) return parsed;
    } catch {
      // Reported below.
    }
    throw new UsageError(`${option} as JSON must be an array of strings, e.g. '["openclaw","pause"]'`);
  }
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new UsageError(`${option} is empty`);
  return words;
}

/** Alerts config for display: header names only (values are usually bearer tokens). */
function describe(alerts: AlertsConfig) {
  return {
    action: alerts.action,
    url: alerts.url,
    headerNames: Object.keys(alerts.headers ?? {}),
    ...(alerts.command ? { command: alerts.command } : {}),
    ...(alerts.pause ? { pause: alerts.pause } : {}),
    timeoutMs: alerts.timeoutMs,
  };
}

/**
 * `clawpulsar agent alerts set|show`: what this agent does with budget alerts from the edge (agent
 * config only; the running agent picks a change up).
 */
export function registerAgentAlerts(agent: Command): void {
  const alerts = agent.command('alerts').description('what this agent does when a budget alert arrives');
  withAgentOptions(
    alerts
      .command('set')
      .description('set the alert action: wake OpenClaw (default), run a command, or nothing')
      .option('--action <action>', 'wake, command or none')
      .option('--url <url>', "the wake hook (default OpenClaw's http://127.0.0.1:18789/hooks/wake)")
      .option(
        '--header <header>',
        "header for the wake POST, e.g. 'Authorization: Bearer …' (repeatable)",
        collect,
        [],
      )
      .option('--command <argv>', 'for --action command: words, or a JSON array; alert JSON on stdin')
      .option('--pause-command <argv>', 'also run this to pause the agent past --pause-at or on a runaway')
      .option('--pause-at <percent>', 'run the pause command from this share of the limit (default 100)')
      .option('--no-pause', 'remove the pause command'),
  ).action(async (options: SetOptions) => {
    await agentAction(options, (dir) => {
      const paths = agentPaths(dir);
      const config = readAgentConfig(paths);
      const current = config.alerts;
      const pause =
        options.pause === false
          ? undefined
          : options.pauseCommand !== undefined
            ? {
                command: argv(options.pauseCommand, '--pause-command'),
                atPercent:
                  options.pauseAt !== undefined ? Number(options.pauseAt) : (current.pause?.atPercent ?? 100),
                onBurnRate: current.pause?.onBurnRate ?? true,
              }
            : current.pause && options.pauseAt !== undefined
              ? { ...current.pause, atPercent: Number(options.pauseAt) }
              : current.pause;
      const parsed = alertsSchema.safeParse({
        ...current,
        ...(options.action !== undefined ? { action: options.action } : {}),
        ...(options.url !== undefined ? { url: options.url } : {}),
        ...(options.header.length ? { headers: Object.fromEntries(options.header.map(parseHeader)) } : {}),
        ...(options.command !== undefined ? { command: argv(options.command, '--command') } : {}),
        pause,
      });
      if (!parsed.success) throw new BadRequestError('alerts_invalid', `alerts.${zodMessage(parsed.error)}`);
      writeAgentConfig(paths, { ...config, alerts: parsed.data });
      const shown = describe(parsed.data);
      print(
        options,
        { alerts: shown },
        `Budget alerts: ${shown.action}${shown.action === 'wake' ? ` → ${shown.url}` : ''}${shown.action === 'command' ? ` → ${shown.command?.join(' ')}` : ''}${shown.pause ? `; pause with "${shown.pause.command.join(' ')}" from ${shown.pause.atPercent}%` : ''}.`,
      );
    });
  });
  withAgentOptions(alerts.command('show').description('show the alert action (header values hidden)')).action(
    async (options: AgentCommandOptions) => {
      await agentAction(options, (dir) => {
        const shown = describe(readAgentConfig(agentPaths(dir)).alerts);
        print(
          options,
          { alerts: shown },
          [
            `action   ${shown.action}`,
            `url      ${shown.url}`,
            `headers  ${shown.headerNames.join(', ') || '-'}`,
            ...(shown.command ? [`command  ${shown.command.join(' ')}`] : []),
            ...(shown.pause
              ? [`pause    ${shown.pause.command.join(' ')} (from ${shown.pause.atPercent}%)`]
              : []),
          ].join('\n'),
        );
      });
    },
  );
}

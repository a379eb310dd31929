import type { ServiceSpec } from './ServiceSpec.ts';

/**
 * A systemd user unit for the service: restarts on failure (but not after a clean stop, nor in a tight
 * loop: five starts in five minutes at most), files it creates owner-only, no privilege gain.
 *
 * @example
 * writeFileSync('~/.config/systemd/user/clawpulsar-agent.service', renderSystemdUnit(spec));
 */
export function renderSystemdUnit(spec: ServiceSpec): string {
  const lines = [
    '# Written by `clawpulsar service install`; remove it with `clawpulsar service uninstall`.',
    '[Unit]',
    `Description=${spec.description}`,
    ...spec.after.flatMap((unit) => [`After=${unit}`, `Wants=${unit}`]),
    'StartLimitIntervalSec=300',
    'StartLimitBurst=5',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${spec.argv.map(systemdQuote).join(' ')}`,
    ...Object.entries(spec.env).map(([name, value]) => `Environment=${systemdQuote(`${name}=${value}`)}`),
    'Restart=on-failure',
    'RestartSec=10',
    'UMask=0077',
    'NoNewPrivileges=yes',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ];
  return lines.join('\n');
}

/**
 * One word of a systemd command line or assignment: double-quoted, with `\` and `"` escaped, `%`
 * doubled (specifiers) and `$` doubled (variable expansion), so any path survives as is.
 *
 * @example
 * systemdQuote('/home/me/My Agents/100%'); // '"/home/me/My Agents/100%%"'
 */
export function systemdQuote(word: string): string {
  if (/[\n\r]/.test(word)) throw new Error('A service argument cannot contain a line break');
  return `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

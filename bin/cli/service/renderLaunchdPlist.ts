import { join } from 'node:path';
import type { ServiceSpec } from './ServiceSpec.ts';

/**
 * A launchd agent plist for the service: started at login, restarted when it exits with an error
 * (not after a clean stop), at most every 10 s, files it creates owner-only (umask 077). launchd's own
 * output of the process goes beside the JSON logs.
 *
 * @example
 * writeFileSync('~/Library/LaunchAgents/com.clawpulsar.agent.plist', renderLaunchdPlist(spec));
 */
export function renderLaunchdPlist(spec: ServiceSpec): string {
  const env = Object.entries(spec.env)
    .map(([name, value]) => `    <key>${xml(name)}</key>\n    <string>${xml(value)}</string>`)
    .join('\n');
  const stdio = join(spec.logDir, `${spec.component}.launchd.log`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<!-- Written by `clawpulsar service install`; remove it with `clawpulsar service uninstall`. -->',
    '<plist version="1.0">',
    '<dict>',
    '  <key>Label</key>',
    `  <string>${xml(spec.launchdLabel)}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...spec.argv.map((arg) => `    <string>${xml(arg)}</string>`),
    '  </array>',
    '  <key>EnvironmentVariables</key>',
    '  <dict>',
    env,
    '  </dict>',
    '  <key>RunAtLoad</key>',
    '  <true/>',
    '  <key>KeepAlive</key>',
    '  <dict>',
    '    <key>SuccessfulExit</key>',
    '    <false/>',
    '  </dict>',
    '  <key>ThrottleInterval</key>',
    '  <integer>10</integer>',
    '  <key>ProcessType</key>',
    '  <string>Background</string>',
    '  <key>Umask</key>',
    '  <integer>63</integer>',
    '  <key>StandardOutPath</key>',
    `  <string>${xml(stdio)}</string>`,
    '  <key>StandardErrorPath</key>',
    `  <string>${xml(stdio)}</string>`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

function xml(text: string): string {
  // Characters XML 1.0 cannot carry at all are refused rather than silently dropped.
  if ([...text].some((c) => c < ' ' && c !== '\t' && c !== '\n' && c !== '\r')) {
    throw new Error('A service argument contains a control character');
  }
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

import { execFileSync } from 'node:child_process';

/** Builds dist/ once so end-to-end tests run the CLI exactly as a user does. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.ts'], { stdio: 'inherit' });
}

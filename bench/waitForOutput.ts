import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

/**
 * Resolves with the text a child process has written to `stream` once `done(text)` returns a value, then
 * stops reading it (the stream keeps draining, unread): a benched process logs a line per webhook, and a
 * listener still gathering them would cost the bench more CPU the longer it runs. Rejects if the
 * process exits first.
 *
 * @example
 * await waitForOutput(agent, agent.stderr!, (text) => text.includes('tunnel_ready') || undefined);
 */
export function waitForOutput<T>(
  child: ChildProcess,
  stream: Readable,
  done: (text: string) => T | undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const value = done(text);
      if (value === undefined) return;
      stream.off('data', onData);
      child.off('exit', onExit);
      stream.resume();
      resolve(value);
    };
    const onExit = () => reject(new Error(`process exited before it was ready: ${text.slice(-2000)}`));
    stream.on('data', onData);
    child.once('exit', onExit);
  });
}

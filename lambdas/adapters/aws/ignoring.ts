/**
 * Runs an AWS call and treats the named service error as success — for idempotent steps, where "already
 * gone" or "already there" is the outcome wanted.
 *
 * @example
 * await ignoring('ResourceNotFoundException', () => iot.send(new DetachPolicyCommand(input)));
 */
export async function ignoring(errorName: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (error instanceof Error && error.name === errorName) return;
    throw error;
  }
}

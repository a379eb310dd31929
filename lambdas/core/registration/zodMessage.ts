import type * as z from 'zod';

/** The first issue of a zod error as `path: message`, for clear 400 answers. */
export function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  return `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`;
}

/** The management API as the page reaches it: relative to the page, with the session cookie and the dashboard header. */

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * Calls `/dashboard/api{path}`; JSON in and out. Throws ApiError with the API's code and message.
 *
 * @example
 * const { agents } = await api<{ agents: AgentView[] }>('GET', '/v1/agents');
 */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await request(method, path, body);
  const text = await response.text();
  const json = text ? (JSON.parse(text) as unknown) : {};
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string } }).error;
    throw new ApiError(response.status, error?.code ?? 'error', error?.message ?? `HTTP ${response.status}`);
  }
  return json as T;
}

/** The raw response, for downloads (CSV). */
export async function request(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`api${path}`, {
    method,
    credentials: 'same-origin',
    headers: {
      'x-clawpulsar-dashboard': '1',
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

/** Whether an error means the budget monitor is not on this edge. */
export function monitorMissing(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.code === 'budget_monitor_off');
}

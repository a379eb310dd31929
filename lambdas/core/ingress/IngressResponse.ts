/** What the ingress answers the provider; each runtime maps it onto its own response type. */
export interface IngressResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A JSON response with the given status. */
export function jsonResponse(status: number, body: unknown): IngressResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** The error shape every route uses: `{ "error": { "code", "message" } }`. */
export function errorResponse(status: number, code: string, message: string): IngressResponse {
  return jsonResponse(status, { error: { code, message } });
}

import type { WebhookRequest } from '../../WebhookRequest.ts';

/** One piece of the content a provider signs. */
export type ContentPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'body' }
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'header'; readonly name: string }
  | { readonly kind: 'url' }
  | { readonly kind: 'method' };

/** A compiled signed-content template: parse once at definition time, render per request. */
export type SignedContent = readonly ContentPart[];

const PLACEHOLDER = /\{([^{}]*)\}/g;

/**
 * Compiles a template such as `v0:{timestamp}:{body}` or `{header:twitch-eventsub-message-id}{timestamp}{body}`.
 * Placeholders: `{body}` (exactly once: a template that leaves the body out would authenticate nothing),
 * `{timestamp}`, `{header:NAME}`, `{url}`, `{method}`. Throws on anything else.
 *
 * @example
 * compileSignedContent('{timestamp}.{body}');
 */
export function compileSignedContent(template: string): SignedContent {
  const parts: ContentPart[] = [];
  let last = 0;
  let bodies = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push({ kind: 'text', text: template.slice(last, match.index) });
    const name = match[1] ?? '';
    if (name === 'body') {
      bodies++;
      parts.push({ kind: 'body' });
    } else if (name === 'timestamp' || name === 'url' || name === 'method') {
      parts.push({ kind: name });
    } else if (name.startsWith('header:') && name.length > 'header:'.length) {
      parts.push({ kind: 'header', name: name.slice('header:'.length).toLowerCase() });
    } else {
      throw new Error(`Unknown placeholder {${name}} in signed content template`);
    }
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ kind: 'text', text: template.slice(last) });
  if (parts.some((p) => p.kind === 'text' && (p.text.includes('{') || p.text.includes('}')))) {
    throw new Error('Unbalanced brace in signed content template');
  }
  if (bodies !== 1) throw new Error('A signed content template must contain {body} exactly once');
  return parts;
}

/**
 * Renders the pieces to feed the MAC, in order: the text around the body joined into one string on each
 * side (one MAC update each rather than one per placeholder), the body as the received bytes (never
 * converted). Returns `{ missingHeader }` when the template names a header the request lacks.
 */
export function renderSignedContent(
  content: SignedContent,
  request: WebhookRequest,
  timestamp?: string,
): Array<string | Uint8Array> | { readonly missingHeader: string } {
  const out: Array<string | Uint8Array> = [];
  let text = '';
  for (const part of content) {
    switch (part.kind) {
      case 'text':
        text += part.text;
        break;
      case 'body':
        if (text !== '') out.push(text);
        text = '';
        out.push(request.body);
        break;
      case 'timestamp':
        text += timestamp ?? '';
        break;
      case 'url':
        text += request.url;
        break;
      case 'method':
        text += request.method;
        break;
      case 'header': {
        const value = request.headers[part.name];
        if (value === undefined) return { missingHeader: part.name };
        text += value;
        break;
      }
    }
  }
  if (text !== '') out.push(text);
  return out;
}

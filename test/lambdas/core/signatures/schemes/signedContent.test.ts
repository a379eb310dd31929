import { describe, expect, it } from 'vitest';
import {
  compileSignedContent,
  renderSignedContent,
} from '../../../../../lambdas/core/signatures/schemes/signedContent.ts';
import { signedRequest } from '../support/signedRequest.ts';

describe('compileSignedContent', () => {
  it.each([
    ['no body', '{timestamp}'],
    ['two bodies', '{body}{body}'],
    ['an unknown placeholder', '{body}{nonce}'],
    ['an empty header name', '{header:}{body}'],
    ['an unbalanced brace', '{body}}'],
  ])('refuses a template with %s', (_label, template) => {
    expect(() => compileSignedContent(template)).toThrow();
  });

  it('renders text, headers, URL, method and timestamp joined in order, and the body bytes themselves', () => {
    const request = signedRequest({ headers: { 'X-Id': 'm1' }, body: 'hi', url: 'https://h.example/p?q=1' });
    const content = compileSignedContent('{method} {url}|{header:X-ID}|{timestamp}:{body}');

    const rendered = renderSignedContent(content, request, '42');

    expect(rendered).toEqual(['POST https://h.example/p?q=1|m1|42:', request.body]);
    expect((rendered as unknown[])[1]).toBe(request.body);
  });

  it('joins the text after the body into one piece of its own', () => {
    const request = signedRequest({ headers: { 'x-id': 'm1' }, body: 'hi' });
    const content = compileSignedContent('{body}.{timestamp}.{header:x-id}');

    const rendered = renderSignedContent(content, request, '42');

    expect(rendered).toEqual([request.body, '.42.m1']);
  });

  it('reports a header the template needs and the request lacks', () => {
    const content = compileSignedContent('{header:x-nonce}{body}');

    expect(renderSignedContent(content, signedRequest({ headers: {}, body: '' }))).toEqual({
      missingHeader: 'x-nonce',
    });
  });
});

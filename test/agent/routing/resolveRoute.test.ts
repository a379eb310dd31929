import { describe, expect, it } from 'vitest';
import { forwardTarget, resolveRoute } from '../../../agent/routing/resolveRoute.ts';

describe('resolveRoute', () => {
  const github = { target: 'http://127.0.0.1:18789/hooks/github' };
  const fallback = { target: 'http://127.0.0.1:18789/hooks/any' };

  it('uses the source’s own route, then the default route, else none', () => {
    expect(resolveRoute({ routes: { github }, defaultRoute: fallback }, 'github')).toBe(github);
    expect(resolveRoute({ routes: { github }, defaultRoute: fallback }, 'stripe')).toBe(fallback);
    expect(resolveRoute({ routes: { github } }, 'stripe')).toBeUndefined();
  });

  it('does not take inherited properties for routes', () => {
    expect(resolveRoute({ routes: {} }, 'constructor')).toBeUndefined();
    expect(resolveRoute({ routes: {} }, 'toString')).toBeUndefined();
  });
});

describe('forwardTarget', () => {
  it('keeps the target’s path and appends the original query unchanged', () => {
    expect(forwardTarget('http://127.0.0.1:18789/hooks/github', '').path).toBe('/hooks/github');
    expect(forwardTarget('http://127.0.0.1:18789/hooks/github', 'a=1&b=%2F+x').path).toBe(
      '/hooks/github?a=1&b=%2F+x',
    );
    expect(forwardTarget('http://127.0.0.1:18789/hooks/github', '?a=1').path).toBe('/hooks/github?a=1');
    expect(forwardTarget('http://127.0.0.1:18789', 'a=1').path).toBe('/?a=1');
  });

  it('puts the original query after the target’s own', () => {
    expect(forwardTarget('http://127.0.0.1/hooks?source=gh', 'a=1').path).toBe('/hooks?source=gh&a=1');
    expect(forwardTarget('http://127.0.0.1/hooks?source=gh', '').path).toBe('/hooks?source=gh');
  });

  it('exposes the target origin for the allowlist check', () => {
    const { url } = forwardTarget('http://[::1]:8080/x', '');
    expect(url.hostname).toBe('[::1]');
    expect(url.port).toBe('8080');
  });
});

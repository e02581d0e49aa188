import { describe, expect, it } from 'vitest';
import { engineSecurityHeaders, withFrameAncestors } from './security-headers.js';

describe('withFrameAncestors', () => {
  it("keeps a policy that says who may frame it, and adds frame-ancestors 'none' to one that does not", () => {
    expect(withFrameAncestors("default-src 'self'; frame-ancestors https://a.example")).toBe(
      "default-src 'self'; frame-ancestors https://a.example",
    );
    expect(withFrameAncestors("frame-ancestors 'none'")).toBe("frame-ancestors 'none'");
    expect(withFrameAncestors("default-src 'self'")).toBe("default-src 'self'; frame-ancestors 'none'");
    expect(withFrameAncestors("default-src 'self'; ")).toBe("default-src 'self'; frame-ancestors 'none'");
    // A source named like the directive is not the directive.
    expect(withFrameAncestors('img-src https://frame-ancestors.example')).toBe(
      "img-src https://frame-ancestors.example; frame-ancestors 'none'",
    );
  });
});

describe('engineSecurityHeaders', () => {
  it('adds nosniff to the headers Engine.IO is about to send', () => {
    const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
    engineSecurityHeaders(headers);
    expect(headers).toEqual({ 'Content-Type': 'text/plain', 'X-Content-Type-Options': 'nosniff' });
  });
});

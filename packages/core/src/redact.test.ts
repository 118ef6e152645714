import { describe, expect, it } from 'vitest';
import { redactor } from './index.ts';

describe('redactor', () => {
  const redact = redactor(['s3cr3t/+=key', 'abc']);

  it('blanks a given secret, raw and URL-encoded', () => {
    expect(redact('key s3cr3t/+=key, encoded s3cr3t%2F%2B%3Dkey')).toBe(
      'key [redacted], encoded [redacted]',
    );
  });

  it('blanks any accesskey= or token= query value and any Bearer value', () => {
    expect(
      redact(
        'GET /calls?accesskey=other-key&page_size=1 ;token=jwt.1.2 Authorization: Bearer eyJ.x',
      ),
    ).toBe(
      'GET /calls?accesskey=[redacted]&page_size=1 ;token=[redacted] Authorization: Bearer [redacted]',
    );
  });

  it('leaves ordinary words alone when a secret is shorter than 6 characters', () => {
    expect(redact('abcdef is fine; ?token=abc is not')).toBe(
      'abcdef is fine; ?token=[redacted] is not',
    );
  });
});

import { describe, expect, it } from '@jest/globals';
import {
  credentialParameters,
  credentialValueForms,
  maskCredentialParameters,
} from '../src/query-credentials.js';

describe('credentialParameters', () => {
  it('finds query and fragment parameters named like credentials, by the header-name rule', () => {
    const url = new URL(
      'https://h/x?page=2&api_key=k%2Fey+1&X-Amz-Signature=abc123def&sig=s1g&design=blue&token=#access_token=t0k',
    );
    expect(credentialParameters(url)).toEqual([
      { name: 'api_key', raw: 'k%2Fey+1', decoded: 'k/ey 1' },
      { name: 'X-Amz-Signature', raw: 'abc123def', decoded: 'abc123def' },
      { name: 'sig', raw: 's1g', decoded: 's1g' },
      { name: 'token', raw: '', decoded: '' },
      { name: 'access_token', raw: 't0k', decoded: 't0k' },
    ]);
  });

  it('gives every form a value may take in text', () => {
    expect(credentialValueForms({ name: 'api_key', raw: 'k%2Fey+1', decoded: 'k/ey 1' })).toEqual([
      'k%2Fey+1',
      'k/ey 1',
      'k%2Fey%201',
    ]);
  });
});

describe('maskCredentialParameters', () => {
  it.each([
    ['https://h/x?api_key=abc&page=2', 'https://h/x?api_key=***&page=2'],
    ['https://h/x?a=%20b&Password=p%40ss#frag', 'https://h/x?a=%20b&Password=***#frag'],
    ['https://h/cb#access_token=t0k&state=1', 'https://h/cb#access_token=***&state=1'],
    ['https://h/x?sig=1#secret=2', 'https://h/x?sig=***#secret=***'],
    ['https://h/x?design=blue&flag', 'https://h/x?design=blue&flag'],
    ['https://h/x', 'https://h/x'],
    ['ftp://host:99999/?token=abc', 'ftp://host:99999/?token=***'],
  ])('%s -> %s', (text, masked) => {
    expect(maskCredentialParameters(text)).toBe(masked);
  });
});

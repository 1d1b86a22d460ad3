import { describe, expect, it } from '@jest/globals';
import { hideUserinfo, joinUrl, parseHttpUrl, splitCredentials } from '../src/url.js';

describe('joinUrl', () => {
  it.each([
    ['http://h:1', '/health', 'http://h:1/health'],
    ['http://h:1/', 'health', 'http://h:1/health'],
    ['https://h/v1', '/health', 'https://h/v1/health'],
    ['https://h/v1/', '/rank?x=1', 'https://h/v1/rank?x=1'],
  ])('%s + %s = %s', (baseUrl, path, expected) => {
    expect(joinUrl(new URL(baseUrl), path).href).toBe(expected);
  });
});

describe('parseHttpUrl', () => {
  it.each([
    ['ftp://u:secret-1@files/x', '"ftp://***@files/x"'],
    ['https://u:secret-1@host:99999/', '"https://***@host:99999/"'],
    ['not a url', '"not a url"'],
    ['ftp://files/x?api_key=k-9f8e7d&page=2', '"ftp://files/x?api_key=***&page=2"'],
  ])('rejects %s quoting %s', (text, quoted) => {
    expect(() => parseHttpUrl(text, 'Input "base-url"')).toThrow(
      `Input "base-url" must be an http or https URL; got ${quoted}.`,
    );
  });
});

describe('hideUserinfo', () => {
  it('leaves URLs without credentials and @ in paths alone', () => {
    expect(hideUserinfo('https://host/a@b')).toBe('https://host/a@b');
    expect(hideUserinfo('http://user@host/')).toBe('http://***@host/');
  });
});

describe('splitCredentials', () => {
  it('turns userinfo into a Basic authorization and strips it from the URL', () => {
    const { url, credentials } = splitCredentials(new URL('https://a%20b:p%3Aw@h/x?q=1'));
    expect(url.href).toBe('https://h/x?q=1');
    expect(credentials).toEqual({
      username: 'a b',
      password: 'p:w',
      authorization: `Basic ${Buffer.from('a b:p:w').toString('base64')}`,
    });
  });

  it('returns a URL without userinfo unchanged', () => {
    const original = new URL('https://h/x');
    expect(splitCredentials(original)).toEqual({ url: original });
  });
});

import { ConfigurationError } from '@ecs-ship/shared/errors';
import {
  expectList,
  expectObject,
  fieldError,
  isPlainObject,
  optionalBoolean,
  optionalNumber,
  optionalString,
  optionalStringMap,
  rejectUnknownKeys,
  type PlainObject,
} from '@ecs-ship/shared/structure';
import type { Check, Expectation, StatusMatcher } from './check.js';
import { jsonPathSyntaxError } from './json-path.js';
import { credentialParameters, credentialValueForms, maskCredentialParameters } from './query-credentials.js';
import { joinUrl, parseHttpUrl, splitCredentials } from './url.js';

/** Where values that must be masked are registered (the action's SecretRegistry). */
export interface SecretSink {
  /** `source` names where the value came from, for a warning; never the value. */
  add(value: string | undefined, source?: string): void;
}

const CHECK_FIELDS = [
  'name',
  'method',
  'path',
  'url',
  'headers',
  'body',
  'json',
  'expect',
  'follow-redirects',
] as const;
const EXPECT_FIELDS = ['status', 'body-contains', 'json', 'headers', 'max-latency-ms'] as const;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Turns the parsed `checks` document into checks, or fails naming the check and the field. Nothing
 * is sent until every check is valid.
 */
export function parseChecks(document: unknown, baseUrl: URL | undefined, secrets?: SecretSink): Check[] {
  const items = expectList(document, 'Input "checks"');
  if (items.length === 0)
    throw new ConfigurationError('Input "checks" is an empty list: give at least one check.');
  const checks = items.map((item, index) => parseCheck(item, index, baseUrl, secrets));
  const seen = new Set<string>();
  for (const check of checks) {
    if (seen.has(check.name)) {
      throw new ConfigurationError(
        `Input "checks": two checks are named "${check.name}"; names must be unique.`,
      );
    }
    seen.add(check.name);
  }
  return checks;
}

function parseCheck(
  item: unknown,
  index: number,
  baseUrl: URL | undefined,
  secrets: SecretSink | undefined,
): Check {
  const position = `checks[${index}]`;
  const raw = expectObject(item, `Input "checks": ${position}`);
  const named = typeof raw.name === 'string' && raw.name !== '' ? `${position} ("${raw.name}")` : position;
  const where = `Input "checks": ${named}`;
  rejectUnknownKeys(raw, CHECK_FIELDS, where);

  const method = (optionalString(raw, 'method', where) ?? 'GET').toUpperCase();
  if (!METHODS.includes(method))
    throw fieldError(where, 'method', `one of ${METHODS.join(', ')}`, raw.method);

  const { url, credentials } = splitCredentials(resolveUrl(raw, where, baseUrl));
  const source = `input "checks": ${named}`;
  // Registered now, before any request is sent or any later error is reported: ?api_key=… reaches
  // the reports through the URL and the log through a server's echo.
  for (const parameter of credentialParameters(url)) {
    for (const form of credentialValueForms(parameter))
      secrets?.add(form, `${source} query parameter "${parameter.name}"`);
  }
  const headers = optionalStringMap(raw, 'headers', where) ?? {};
  for (const name of Object.keys(headers)) {
    if (!TOKEN.test(name)) throw fieldError(where, `headers.${name}`, 'a valid HTTP header name', name);
  }
  if (credentials) {
    secrets?.add(credentials.username, `${source} "url" user name`);
    secrets?.add(credentials.password, `${source} "url" password`);
    secrets?.add(credentials.authorization, `${source} "url" credentials`);
    secrets?.add(credentials.authorization.slice('Basic '.length), `${source} "url" credentials`);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'authorization'))
      headers.Authorization = credentials.authorization;
  }

  if (raw.body !== undefined && raw.json !== undefined) {
    throw new ConfigurationError(`${where}: give "body" or "json", not both.`);
  }
  let body: string | undefined;
  if (raw.body !== undefined) {
    if (typeof raw.body !== 'string')
      throw fieldError(where, 'body', 'text (use "json" for a structured body)', raw.body);
    body = raw.body;
  } else if (raw.json !== undefined) {
    body = JSON.stringify(raw.json);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json';
    }
  }
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
    throw new ConfigurationError(
      `${where}: a ${method} request cannot have a body; set "method" to POST, PUT or PATCH.`,
    );
  }

  const expect = parseExpectation(raw.expect, where);
  if (method === 'HEAD' && (expect.bodyContains.length > 0 || expect.json.length > 0)) {
    const field = expect.bodyContains.length > 0 ? 'body-contains' : 'json';
    throw new ConfigurationError(
      `${where}: expect: "${field}" can never pass on a HEAD request, whose response has no body; use GET.`,
    );
  }

  return {
    name: optionalString(raw, 'name', where) ?? `${method} ${url.pathname}`,
    method,
    url,
    headers,
    ...(body !== undefined ? { body } : {}),
    followRedirects: optionalBoolean(raw, 'follow-redirects', where) ?? true,
    expect,
  };
}

function resolveUrl(raw: PlainObject, where: string, baseUrl: URL | undefined): URL {
  const path = optionalString(raw, 'path', where);
  const absolute = optionalString(raw, 'url', where);
  if (path !== undefined && absolute !== undefined)
    throw new ConfigurationError(`${where}: give "path" or "url", not both.`);
  if (absolute !== undefined) return parseHttpUrl(absolute, `${where}: "url"`);
  if (path === undefined)
    throw new ConfigurationError(`${where}: needs "path" (joined to base-url) or "url".`);
  if (!baseUrl) throw new ConfigurationError(`${where}: has a "path" but the input "base-url" is not set.`);
  if (/^[a-z][a-z0-9+.-]*:/i.test(path))
    throw fieldError(
      where,
      'path',
      'a path such as /health (use "url" for a full URL)',
      maskCredentialParameters(path),
    );
  return joinUrl(baseUrl, path);
}

function parseExpectation(value: unknown, where: string): Expectation {
  const raw = value === undefined || value === null ? {} : expectObject(value, `${where}: "expect"`);
  const at = `${where}: expect`;
  rejectUnknownKeys(raw, EXPECT_FIELDS, at);
  const json: Expectation['json'] = [];
  if (raw.json !== undefined) {
    if (!isPlainObject(raw.json))
      throw fieldError(at, 'json', 'a map of JSONPath to the expected value', raw.json);
    for (const [path, expected] of Object.entries(raw.json)) {
      const problem = jsonPathSyntaxError(path);
      if (problem)
        throw new ConfigurationError(
          `${at}: "json" has an invalid JSONPath ${JSON.stringify(path)}: ${problem}.`,
        );
      json.push({ path, expected });
    }
  }
  const headers: Expectation['headers'] = {};
  for (const [name, expected] of Object.entries(optionalStringMap(raw, 'headers', at) ?? {})) {
    const pattern = /^\/(.+)\/([a-z]*)$/.exec(expected);
    if (!pattern) {
      headers[name] = { expected };
      continue;
    }
    try {
      headers[name] = { expected, pattern: new RegExp(pattern[1] ?? '', pattern[2]) };
    } catch (error) {
      throw fieldError(
        at,
        `headers.${name}`,
        `a value or a valid /regular expression/ (${(error as Error).message})`,
        expected,
      );
    }
  }
  const maxLatencyMs = optionalNumber(raw, 'max-latency-ms', at, { min: 1 });
  return {
    status: parseStatus(raw.status, at),
    bodyContains: parseBodyContains(raw['body-contains'], at),
    json,
    headers,
    ...(maxLatencyMs !== undefined ? { maxLatencyMs } : {}),
  };
}

function parseStatus(value: unknown, where: string): StatusMatcher[] {
  if (value === undefined || value === null) return [{ kind: 'class', hundreds: 2 }];
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0)
    throw fieldError(where, 'status', 'a status, a list of them, or a class like 2xx', value);
  return items.map((item) => {
    const text = String(item).trim().toLowerCase();
    if (/^[1-5]xx$/.test(text)) return { kind: 'class', hundreds: Number(text[0]) };
    if (/^[1-5]\d\d$/.test(text)) return { kind: 'exact', code: Number(text) };
    throw fieldError(
      where,
      'status',
      'a status code from 100 to 599, a list of them, or a class like 2xx',
      item,
    );
  });
}

function parseBodyContains(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) {
    if (typeof item !== 'string' || item === '')
      throw fieldError(where, 'body-contains', 'text or a list of texts', item);
  }
  return items as string[];
}

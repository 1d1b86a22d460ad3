import type { IncomingHttpHeaders } from 'node:http';
import type { AwsServiceName } from './calls.js';

/** The X-Amz-Target prefix of ECS's JSON protocol. */
export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';

/** What a request is, read from its headers and body without changing either. */
export interface ParsedRequest {
  service: AwsServiceName;
  operation: string;
  input: Record<string, unknown>;
  /** How an error for this request must be encoded. */
  protocol: 'json' | 'query' | 'other';
}

/**
 * Reads the service and operation as moto does: ECS and CloudWatch (awsJson) by X-Amz-Target,
 * Query services (ELBv2) by `Action=` and the Authorization header's credential scope.
 */
export function parseRequest(headers: IncomingHttpHeaders, path: string, body: Buffer): ParsedRequest {
  const target = header(headers, 'x-amz-target');
  const scope = credentialScopeService(header(headers, 'authorization'));
  if (target !== undefined) {
    const dot = target.lastIndexOf('.');
    const operation = target.slice(dot + 1);
    const service: AwsServiceName = target.startsWith(ECS_TARGET_PREFIX)
      ? 'ecs'
      : target.startsWith('GraniteServiceVersion20100801.')
        ? 'cloudwatch'
        : serviceOfScope(scope);
    return { service, operation, input: parseJson(body), protocol: 'json' };
  }
  const contentType = header(headers, 'content-type') ?? '';
  const query = path.includes('?') ? path.slice(path.indexOf('?') + 1) : '';
  const form = contentType.includes('x-www-form-urlencoded') ? body.toString('utf8') : '';
  const params = new URLSearchParams([query, form].filter((part) => part !== '').join('&'));
  const action = params.get('Action');
  if (action !== null) {
    return {
      service: serviceOfScope(scope),
      operation: action,
      input: Object.fromEntries(params.entries()),
      protocol: 'query',
    };
  }
  return {
    service: serviceOfScope(scope),
    operation: path.split('?')[0] ?? path,
    input: {},
    protocol: 'other',
  };
}

function serviceOfScope(scope: string | undefined): AwsServiceName {
  if (scope === 'ecs') return 'ecs';
  if (scope === 'elasticloadbalancing') return 'elbv2';
  if (scope === 'monitoring') return 'cloudwatch';
  return 'other';
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecs/aws4_request, ...` -> `ecs`. */
export function credentialScopeService(authorization: string | undefined): string | undefined {
  const match = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(authorization ?? '');
  return match?.[1];
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

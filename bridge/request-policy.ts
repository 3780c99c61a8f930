/**
 * The checks every request passes before routing (HTTP-API.md "Policy"): the Host header names the bridge (a
 * DNS-rebinding guard), and an Origin, when sent, is one the store configured (CORS).
 */
import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { printableText } from '../protocol/printable-text.js';
import { RequestProblem } from './request-problem.js';

export interface RequestPolicy {
  /** Host header values that name the bridge, lower case. */
  readonly hosts: ReadonlySet<string>;
  /** Origins whose pages may call the bridge (scheme://host[:port]). */
  readonly origins: ReadonlySet<string>;
}

/** What a preflight from an allowed origin is told (HTTP-API.md "Preflight"). */
export const PREFLIGHT_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Methods': 'GET, POST, DELETE',
  'Access-Control-Allow-Headers': 'Content-Type, Authorization',
  'Access-Control-Max-Age': '600',
};

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
/** Whether `host` (a listen address) is reachable from this machine only. */
export const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
const isWildcard = (host: string): boolean => host === '0.0.0.0' || host === '::';

/**
 * The Host values a request may carry: the listen address; on loopback also localhost / 127.0.0.1 / [::1];
 * on a wildcard address (0.0.0.0, ::) those and every address of this machine's interfaces.
 */
export function allowedHosts(listenHost: string, port: number): Set<string> {
  const names = new Set([listenHost.toLowerCase()]);
  if (isLoopback(listenHost) || isWildcard(listenHost)) for (const name of LOOPBACK_NAMES) names.add(name);
  if (isWildcard(listenHost)) {
    for (const addresses of Object.values(networkInterfaces())) for (const a of addresses ?? []) names.add(a.address.toLowerCase());
  }
  const hosts = new Set<string>();
  for (const name of names) {
    const authority = isIPv6(name) ? `[${name}]` : name;
    hosts.add(`${authority}:${port}`);
    // A browser leaves out the scheme's default port.
    if (port === 80) hosts.add(authority);
  }
  return hosts;
}

/**
 * Throws FORBIDDEN_HOST or FORBIDDEN_ORIGIN, or returns the CORS headers every answer to this request carries
 * (none for a request without Origin: curl, a store backend on the same PC).
 */
export function checkRequest(request: IncomingMessage, policy: RequestPolicy): Record<string, string> {
  const host = request.headers.host?.toLowerCase();
  if (host === undefined || !policy.hosts.has(host)) {
    throw new RequestProblem('FORBIDDEN_HOST', `Host ${host === undefined ? 'missing' : `"${printableText(host, 100)}"`} does not name this bridge`);
  }
  const origin = request.headers.origin;
  if (origin === undefined) return {};
  if (!policy.origins.has(origin)) {
    throw new RequestProblem('FORBIDDEN_ORIGIN', `origin "${printableText(origin, 100)}" is not allowed (tenkey bridge --allow-origin)`);
  }
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
}

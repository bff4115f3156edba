/**
 * The checks every request to the agent's HTTP server passes before anything else sees it
 * (docs/agent-security.md):
 *
 * - Host: the Host header must name this gateway (localhost, its host name, its own addresses,
 *   or a name in config http.allowedHosts). A page on evil.example that rebinds its DNS name to
 *   the gateway's address sends `Host: evil.example` and is refused, so it cannot read anything.
 * - Origin: a request that changes something, sent by a browser from another site, is refused:
 *   an Origin header that is not this very host, or Sec-Fetch-Site cross-site/same-site. Tools
 *   (curl, the CLI, Node's fetch) send neither and pass; a browser always sends one of them.
 * - Content type: the local API's state-changing routes take `application/json` only, which
 *   a cross-site HTML form cannot send and a cross-site fetch can only send after a CORS
 *   preflight that the agent never answers with permission.
 */
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

export type RefusalCode = 'HOST_FORBIDDEN' | 'CROSS_SITE' | 'CONTENT_TYPE';

export interface Refusal {
  code: RefusalCode;
  status: number;
  message: string;
}

/** The host names a request may carry in its Host header: the built-in ones and the config's. */
export function allowedHostNames(configured: readonly string[], listenHost: string): Set<string> {
  const names = new Set<string>(['localhost', '127.0.0.1', '::1']);
  const own = hostname().toLowerCase();
  if (own) {
    names.add(own);
    names.add(`${own}.local`);
  }
  for (const list of Object.values(networkInterfaces())) {
    for (const address of list ?? []) names.add(address.address.toLowerCase().replace(/%.*$/, ''));
  }
  if (listenHost !== '0.0.0.0' && listenHost !== '::') names.add(listenHost.toLowerCase());
  for (const name of configured) names.add(name.toLowerCase());
  return names;
}

/** The host name of a Host header value ('[::1]:1880' → '::1', 'pi.local:80' → 'pi.local'). */
export function hostNameOf(host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return host.replace(/:\d+$/, '').toLowerCase();
}

/** Refuses a request whose Host is not this gateway (every request, pages and API alike). */
export function checkHost(req: IncomingMessage, allowed: ReadonlySet<string>): Refusal | undefined {
  const host = req.headers.host;
  if (host && allowed.has(hostNameOf(host))) return undefined;
  return {
    code: 'HOST_FORBIDDEN',
    status: 421,
    message: `this gateway does not answer to the host '${host ?? '(none)'}': open it by its own name or address, or add the name to http.allowedHosts in the agent's config`,
  };
}

/** Refuses a state-changing request that a browser sent from another site. */
export function checkSameOrigin(req: IncomingMessage): Refusal | undefined {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return undefined;
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return crossSite(`Sec-Fetch-Site: ${site}`);
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return crossSite(`Origin: ${origin}`);
  }
  return originHost.toLowerCase() === (req.headers.host ?? '').toLowerCase() ? undefined : crossSite(`Origin: ${origin}`);
}

/** Refuses a state-changing API request whose body is not declared JSON. */
export function checkJson(req: IncomingMessage): Refusal | undefined {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return undefined;
  return {
    code: 'CONTENT_TYPE',
    status: 415,
    message: `the local API takes JSON only: send the header 'Content-Type: application/json' (got '${type || 'none'}')`,
  };
}

function crossSite(what: string): Refusal {
  return { code: 'CROSS_SITE', status: 403, message: `refused a request from another web site (${what}): the agent's API answers its own pages and local tools only` };
}

import { lookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Addresses no OAuth fetch may reach: link-local (cloud metadata lives there), unspecified, multicast. */
const NEVER = new BlockList();
NEVER.addSubnet('169.254.0.0', 16, 'ipv4');
NEVER.addSubnet('0.0.0.0', 8, 'ipv4');
NEVER.addSubnet('224.0.0.0', 4, 'ipv4');
NEVER.addSubnet('100.100.100.200', 32, 'ipv4');
NEVER.addSubnet('fe80::', 10, 'ipv6');
NEVER.addSubnet('ff00::', 8, 'ipv6');
NEVER.addSubnet('fd00:ec2::254', 128, 'ipv6');
NEVER.addAddress('::', 'ipv6');

/** Private and loopback ranges: reachable only when the MCP server itself lives there. */
const PRIVATE = new BlockList();
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
PRIVATE.addAddress('::1', 'ipv6');

const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata', 'instance-data']);

function classify(address: string): 'never' | 'private' | 'public' {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  const mapped = family === 'ipv6' && address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : undefined;
  if (mapped && isIP(mapped) === 4) return classify(mapped);
  if (NEVER.check(address, family)) return 'never';
  if (PRIVATE.check(address, family)) return 'private';
  return 'public';
}

/** The addresses a host name stands for (itself when it is an address). */
export async function addressesOf(hostname: string): Promise<string[]> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return [host];
  return (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
}

/** True when every address of the MCP server's host is private or loopback. */
export async function isPrivateHost(hostname: string): Promise<boolean> {
  const addresses = await addressesOf(hostname).catch(() => []);
  return addresses.length > 0 && addresses.every((address) => classify(address) !== 'public');
}

/**
 * Refuses a URL whose host resolves to a link-local or cloud-metadata address, or to a private
 * range unless `allowPrivate` (the MCP server itself is on one). Returns a refusal sentence,
 * or undefined when the URL may be fetched.
 */
export async function addressProblem(url: URL, allowPrivate: boolean, resolve: (hostname: string) => Promise<string[]> = addressesOf): Promise<string | undefined> {
  if (METADATA_NAMES.has(url.hostname.toLowerCase())) return `${url.hostname} is a cloud metadata service`;
  let addresses: string[];
  try {
    addresses = await resolve(url.hostname);
  } catch {
    return `${url.hostname} does not resolve`;
  }
  for (const address of addresses) {
    const problem = refusal(url.hostname, address, allowPrivate);
    if (problem) return problem;
  }
  return undefined;
}

/** Why an address may not be reached, or undefined when it may. */
function refusal(hostname: string, address: string, allowPrivate: boolean): string | undefined {
  const kind = classify(address);
  if (kind === 'never') return `${hostname} resolves to ${address}, a link-local or metadata address`;
  if (kind === 'private' && !allowPrivate) return `${hostname} resolves to ${address}, a private address, and the MCP server is not on a private network`;
  return undefined;
}

/** A connection refused at connect time because its host resolved to a refused address. */
export class AddressRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddressRefusedError';
  }
}

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for sockets that checks the addresses it hands to connect, so a host name cannot
 * pass the check with one answer and then connect to another (DNS rebinding). Any refused
 * address in the answer refuses the connection.
 */
export function guardedLookup(allowPrivate: boolean, resolve: (hostname: string) => Promise<string[]> = addressesOf) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname).then(
      (all) => {
        for (const address of all) {
          const problem = refusal(hostname, address, allowPrivate);
          if (problem) return callback(new AddressRefusedError(problem), '');
        }
        const wanted = options.family === 4 || options.family === 6 ? all.filter((address) => isIP(address) === options.family) : all;
        const first = wanted[0];
        if (first === undefined) return callback(Object.assign(new Error(`${hostname} has no usable address`), { code: 'ENOTFOUND' }), '');
        if (options.all) return callback(null, wanted.map((address) => ({ address, family: isIP(address) })));
        callback(null, first, isIP(first));
      },
      (error: Error) => callback(error, ''),
    );
  };
}

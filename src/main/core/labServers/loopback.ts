/**
 * The lab servers only ever listen on this computer's own loopback addresses, so nobody else on the
 * network can reach them (or use them to reach anything else).
 */
import net from 'node:net';

/** 127.0.0.0/8 and ::1, as IP literals; `localhost` is taken to mean 127.0.0.1. */
export function loopbackAddress(host: string): string | undefined {
  const trimmed = host.trim().toLowerCase();
  if (trimmed === 'localhost') return '127.0.0.1';
  const bare = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  if (net.isIPv4(bare)) return bare.split('.')[0] === '127' ? bare : undefined;
  if (net.isIPv6(bare)) {
    const loopback = new net.BlockList();
    loopback.addAddress('::1', 'ipv6');
    return loopback.check(bare, 'ipv6') ? '::1' : undefined;
  }
  return undefined;
}

/** `host:port` as a learner would type it into a URL (`[::1]:8080` for IPv6). */
export function hostAndPort(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

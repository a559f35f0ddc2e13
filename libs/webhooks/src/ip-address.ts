import { isIPv4, isIPv6 } from 'node:net';

/**
 * Classification of IP addresses for outbound webhook requests: anything but `public` is a
 * place a webhook must never reach (SSRF): the host itself, private networks, link-local
 * (cloud metadata lives there), carrier-grade NAT, multicast, documentation and reserved ranges.
 */
export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'metadata'
  | 'carrier_grade_nat'
  | 'unique_local'
  | 'ipv4_mapped'
  | 'multicast'
  | 'documentation'
  | 'reserved';

export const ADDRESS_CLASS_DESCRIPTIONS: Record<AddressClass, string> = {
  public: 'a public address',
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private network address',
  link_local: 'a link-local address',
  metadata: 'a cloud metadata address',
  carrier_grade_nat: 'a carrier-grade NAT address',
  unique_local: 'an IPv6 unique local address',
  ipv4_mapped: 'an IPv4-mapped IPv6 address',
  multicast: 'a multicast address',
  documentation: 'a documentation address',
  reserved: 'a reserved address',
};

interface Range {
  bytes: number[];
  prefix: number;
  kind: AddressClass;
}

function v4(cidr: string, kind: AddressClass): Range {
  const [address, prefix] = cidr.split('/');
  return { bytes: address.split('.').map(Number), prefix: Number(prefix), kind };
}

function v6(cidr: string, kind: AddressClass): Range {
  const [address, prefix] = cidr.split('/');
  return { bytes: [...ipv6Bytes(address)], prefix: Number(prefix), kind };
}

/** Most specific first: the first match wins. */
const V4_RANGES: Range[] = [
  v4('169.254.169.254/32', 'metadata'), // AWS, GCP, Azure, OpenStack
  v4('169.254.170.2/32', 'metadata'), // ECS task metadata
  v4('100.100.100.200/32', 'metadata'), // Alibaba Cloud
  v4('192.0.0.192/32', 'metadata'), // Oracle Cloud
  v4('0.0.0.0/8', 'unspecified'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'carrier_grade_nat'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link_local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'reserved'),
  v4('192.0.2.0/24', 'documentation'),
  v4('192.88.99.0/24', 'reserved'),
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'reserved'),
  v4('198.51.100.0/24', 'documentation'),
  v4('203.0.113.0/24', 'documentation'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'),
];

const V6_RANGES: Range[] = [
  v6('fd00:ec2::254/128', 'metadata'), // AWS IPv6 metadata
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('::ffff:0:0/96', 'ipv4_mapped'),
  v6('::ffff:0:0:0/96', 'ipv4_mapped'), // IPv4-translated
  v6('::/96', 'reserved'), // IPv4-compatible (deprecated)
  v6('64:ff9b:1::/48', 'reserved'), // local-use NAT64
  v6('100::/64', 'reserved'), // discard-only
  v6('2001:db8::/32', 'documentation'),
  v6('2001::/23', 'reserved'), // IETF protocol assignments (Teredo, benchmarking, ORCHID)
  v6('3fff::/20', 'documentation'),
  v6('fc00::/7', 'unique_local'),
  v6('fe80::/10', 'link_local'),
  v6('fec0::/10', 'private'), // deprecated site-local
  v6('ff00::/8', 'multicast'),
];

/** 16 bytes of an IPv6 address (zone id ignored); throws for anything that is not IPv6. */
export function ipv6Bytes(address: string): Uint8Array {
  const plain = address.replace(/^\[|\]$/g, '').split('%')[0];
  if (!isIPv6(plain)) throw new Error(`not an IPv6 address: ${address}`);
  let text = plain;
  const bytes = new Uint8Array(16);
  let tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tail = dotted[1].split('.').map(Number);
    const [a, b, c, d] = tail;
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const restGroups = rest ? rest.split(':') : [];
  const groups =
    rest === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - restGroups.length).fill('0'), ...restGroups];
  groups.forEach((group, index) => {
    const value = parseInt(group || '0', 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return bytes;
}

function matches(bytes: ArrayLike<number>, range: Range): boolean {
  let bits = range.prefix;
  for (let i = 0; bits > 0; i += 1, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i] & mask) !== (range.bytes[i] & mask)) return false;
  }
  return true;
}

function classifyV4(bytes: ArrayLike<number>): AddressClass {
  return V4_RANGES.find((range) => matches(bytes, range))?.kind ?? 'public';
}

/**
 * The class of an IPv4 or IPv6 address literal (brackets and zone ids allowed). IPv6 forms that
 * embed an IPv4 address meant for routing (NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) take the class of
 * the embedded address; IPv4-mapped/compatible IPv6 forms are refused outright. Throws for
 * anything that is not an IP address.
 */
export function classifyAddress(address: string): AddressClass {
  if (isIPv4(address)) return classifyV4(address.split('.').map(Number));
  const bytes = ipv6Bytes(address);
  const special = V6_RANGES.find((range) => matches(bytes, range));
  if (special) return special.kind;
  if (matches(bytes, v6('64:ff9b::/96', 'public'))) return classifyV4(bytes.slice(12, 16));
  if (matches(bytes, v6('2002::/16', 'public'))) return classifyV4(bytes.slice(2, 6));
  return 'public';
}

/** An IPv4/IPv6 CIDR (`10.0.0.0/8`, `::1/128`, or a bare address meaning /32 or /128). */
export class Cidr {
  private readonly range: Range;
  readonly family: 4 | 6;

  constructor(readonly text: string) {
    const [address, prefixText] = text.trim().split('/');
    this.family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : (() => {
      throw new Error(`"${text}" is not an IP address or CIDR`);
    })();
    const max = this.family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (prefixText !== undefined && !/^\d+$/.test(prefixText))) {
      throw new Error(`"${text}" has an invalid prefix length`);
    }
    this.range = { bytes: this.family === 4 ? address.split('.').map(Number) : [...ipv6Bytes(address)], prefix, kind: 'public' };
  }

  contains(address: string): boolean {
    if (this.family === 4) return isIPv4(address) && matches(address.split('.').map(Number), this.range);
    return isIPv6(address.replace(/^\[|\]$/g, '').split('%')[0]) && matches(ipv6Bytes(address), this.range);
  }
}

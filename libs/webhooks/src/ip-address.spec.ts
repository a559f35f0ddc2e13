import { Cidr, classifyAddress, ipv6Bytes } from './ip-address';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['169.254.1.1', 'link_local'],
    ['100.64.0.1', 'carrier_grade_nat'],
    ['100.127.255.254', 'carrier_grade_nat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.7', 'documentation'],
    ['198.18.0.1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['93.184.216.34', 'public'],
  ])('IPv4 %s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each([
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'ipv4_mapped'],
    ['::ffff:8.8.8.8', 'ipv4_mapped'],
    ['::ffff:7f00:1', 'ipv4_mapped'],
    ['::127.0.0.1', 'reserved'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['fd00::1', 'unique_local'],
    ['fc12:3456::1', 'unique_local'],
    ['fd00:ec2::254', 'metadata'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b::808:808', 'public'],
    ['2002:7f00:1::', 'loopback'],
    ['2001:4860:4860::8888', 'public'],
    ['2606:4700::1111', 'public'],
  ])('IPv6 %s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('throws for things that are not addresses', () => {
    expect(() => classifyAddress('example.com')).toThrow();
    expect(() => classifyAddress('300.1.1.1')).toThrow();
  });

  it('expands IPv6 text to 16 bytes', () => {
    expect(Buffer.from(ipv6Bytes('2001:db8::ff00:42:8329')).toString('hex')).toBe('20010db8000000000000ff0000428329');
    expect(Buffer.from(ipv6Bytes('::ffff:192.0.2.128')).toString('hex')).toBe('00000000000000000000ffffc0000280');
  });
});

describe('Cidr', () => {
  it('matches addresses in IPv4 and IPv6 ranges', () => {
    expect(new Cidr('127.0.0.0/8').contains('127.0.0.1')).toBe(true);
    expect(new Cidr('127.0.0.1').contains('127.0.0.2')).toBe(false);
    expect(new Cidr('::1/128').contains('::1')).toBe(true);
    expect(new Cidr('10.0.0.0/8').contains('::1')).toBe(false);
    expect(new Cidr('fd00::/8').contains('fd12::1')).toBe(true);
  });

  it('refuses malformed ranges', () => {
    expect(() => new Cidr('localhost')).toThrow(/not an IP address/);
    expect(() => new Cidr('10.0.0.0/33')).toThrow(/prefix/);
    expect(() => new Cidr('10.0.0.0/x')).toThrow(/prefix/);
  });
});

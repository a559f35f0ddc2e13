import { isIPv6 } from 'node:net';
import { entity, type PiiDetector, type PiiEntity } from './pii.types';
import { before, isDigit, wordCharAt } from './text-scan';
import { matchesOf } from '../regex-matches';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`${OCTET}(?:\\.${OCTET}){3}`, 'g');
/** A dotted quad right after these words is a version number, not an address. */
const VERSION_CUE = /(?:^|[^a-z])(?:version|ver\.?|v|firmware|release|build|update to|upgrade to|patch|rev\.?)\s*$/;

function ipv4(text: string, out: PiiEntity[]): void {
  for (const match of matchesOf(IPV4, text)) {
    const start = match.index;
    const end = start + match[0].length;
    if (wordCharAt(text, start - 1) || wordCharAt(text, end)) continue;
    // Part of a longer dotted number (1.2.3.4.5, a section 10.0.0.1.2) or preceded by one.
    if ((text[end] === '.' && isDigit(text.charCodeAt(end + 1))) || (text[start - 1] === '.' && isDigit(text.charCodeAt(start - 2)))) continue;
    if (VERSION_CUE.test(before(text, start, 16))) continue;
    // A CIDR block (10.0.0.0/8) names a network, not a host.
    if (text[end] === '/' && isDigit(text.charCodeAt(end + 1))) continue;
    out.push(entity('IP_ADDRESS', text, start, end));
  }
}

function isHexOrColon(code: number): boolean {
  return code === 58 || (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

/** Found from each ":" outwards over hex digits and colons (linear; no regex attempt at every hex letter of prose). */
function ipv6(text: string, out: PiiEntity[]): void {
  let colon = text.indexOf(':');
  while (colon !== -1) {
    let start = colon;
    while (start > 0 && isHexOrColon(text.charCodeAt(start - 1))) start -= 1;
    let end = colon + 1;
    while (end < text.length && isHexOrColon(text.charCodeAt(end))) end += 1;
    const value = text.slice(start, end);
    // Needs hex groups on both sides of the separators (rules out "std::", "16:9", "::"), and a digit.
    const groups = value.split(':').length - 1;
    if (
      groups >= 2 &&
      groups <= 7 &&
      !wordCharAt(text, start - 1) &&
      !wordCharAt(text, end) &&
      /[0-9]/.test(value) &&
      value.replace(/:/g, '').length >= 4 &&
      isIPv6(value)
    ) {
      out.push(entity('IP_ADDRESS', text, start, end));
    }
    colon = text.indexOf(':', end + 1);
  }
}

/** IPv4 (each octet 0–255, not a version number) and IPv6 (full and `::`-compressed, validated by node:net). */
export const ipDetector: PiiDetector = {
  type: 'IP_ADDRESS',
  mayContain: (text) => /\d\.\d|[0-9A-Fa-f]:[0-9A-Fa-f:]/.test(text),
  detect(text) {
    const out: PiiEntity[] = [];
    if (text.includes('.')) ipv4(text, out);
    if (text.includes(':')) ipv6(text, out);
    return out;
  },
};

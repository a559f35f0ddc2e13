/**
 * Every match of a global regex. `String.prototype.matchAll` clones the regex on every call, which
 * is a visible share of a guard's cost on short texts; this runs the shared regex with `exec`.
 * Synchronous use only (the regex's `lastIndex` is reset before and after).
 */
export function matchesOf(pattern: RegExp, text: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    out.push(match);
    if (match[0].length === 0) {
      // Step over an empty match (by a whole code point in unicode mode), as matchAll does.
      const code = text.charCodeAt(pattern.lastIndex);
      pattern.lastIndex += pattern.unicode && code >= 0xd800 && code <= 0xdbff ? 2 : 1;
    }
  }
  pattern.lastIndex = 0;
  return out;
}

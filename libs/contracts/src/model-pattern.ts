// Model name patterns, shared by LLM routing (`providers[].models`) and the billing price list.

/** Whether a model pattern has glob characters (`*` any run, `?` one character). */
export function isModelGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** Compiles a model glob to an anchored, case-sensitive regular expression. */
export function modelGlob(pattern: string): RegExp {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** How specific a pattern is: its count of literal characters (longer literal prefix wins ties). */
export function patternSpecificity(pattern: string): number {
  return pattern.replace(/[*?]/g, '').length;
}

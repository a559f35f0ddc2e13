import { entity, type PiiDetector, type PiiEntity } from './pii.types';
import { wordCharAt } from './text-scan';
import { matchesOf } from '../regex-matches';

/**
 * Provider key shapes, each starting with a literal prefix (so the scan is linear): OpenAI
 * (`sk-`, `sk-proj-`, `sk-svcacct-`, `sk-admin-`), Anthropic (`sk-ant-api03-`, `sk-ant-admin01-`),
 * AWS access key ids (`AKIA`, `ASIA`), GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`,
 * `github_pat_`), Slack (`xoxb-`, `xoxp-`, `xoxa-`, `xoxo-`, `xoxs-`, `xoxr-`), Stripe
 * (`sk_live_`, `rk_live_`, test keys too), Google API keys (`AIza`), and JWTs (`eyJ….eyJ….sig`).
 */
const KEY_SHAPES = new RegExp(
  [
    'sk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)\\d\\d-)?[A-Za-z0-9_-]{20,}',
    '(?:AKIA|ASIA)[A-Z0-9]{16}',
    'gh[pousr]_[A-Za-z0-9]{36,255}',
    'github_pat_[A-Za-z0-9_]{22,255}',
    'xox[abposr]-[A-Za-z0-9-]{10,}',
    '[sr]k_(?:live|test)_[A-Za-z0-9]{16,}',
    'AIza[0-9A-Za-z_-]{35}',
    'eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{16,}',
  ].join('|'),
  'g',
);
/** Cheap test for any of the prefixes above (and a private key header); grouped by first letters (a little wider: `rk-`, `sk_`), which V8 scans faster. */
const PREFIXES = /[sr]k[-_]|A(?:KIA|SIA|Iza)|gh[pousr]_|github_pat_|xox[abposr]-|eyJ|-----BEGIN/;

const BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/g;
const MAX_KEY_BLOCK = 16_384;

function privateKeys(text: string, out: PiiEntity[]): void {
  for (const match of matchesOf(BEGIN, text)) {
    const start = match.index;
    const footer = `-----END ${match[1]}-----`;
    const footerAt = text.indexOf(footer, start + match[0].length);
    if (footerAt === -1 || footerAt - start > MAX_KEY_BLOCK) continue;
    // A second header before the footer: this one is a mention of the format, not a key.
    const nextHeader = text.indexOf('-----BEGIN', start + match[0].length);
    if (nextHeader !== -1 && nextHeader < footerAt) continue;
    out.push(entity('SECRET', text, start, footerAt + footer.length));
  }
}

/** API keys, tokens, JWTs and PEM private key blocks. */
export const secretDetector: PiiDetector = {
  type: 'SECRET',
  mayContain: (text) => PREFIXES.test(text),
  detect(text) {
    const out: PiiEntity[] = [];
    for (const match of matchesOf(KEY_SHAPES, text)) {
      const start = match.index;
      const end = start + match[0].length;
      if (wordCharAt(text, start - 1)) continue;
      out.push(entity('SECRET', text, start, end));
    }
    if (text.includes('-----BEGIN')) privateKeys(text, out);
    return out;
  },
};

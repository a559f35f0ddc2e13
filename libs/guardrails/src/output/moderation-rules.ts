/**
 * The built-in moderation rule set: small, rule-based, aimed at clear cases in model answers
 * (instructions and threats), not at topics. A classifier (LLM judge or HTTP) can be added on top.
 */
import { MODERATION_CATEGORIES, type ModerationCategory } from '@conduit/contracts';
import { matchesOf } from '../regex-matches';
import { PhrasePrefixes } from './live-tail';

export { MODERATION_CATEGORIES };
export type { ModerationCategory };

export interface ModerationMatch {
  category: ModerationCategory;
  start: number;
  end: number;
}

const GROUPS =
  'jews|muslims|christians|hindus|sikhs|blacks|whites|asians|arabs|latinos|mexicans|immigrants|refugees|gays|lesbians|trans people|women|men|disabled people|roma|gypsies';

const CHILD_WORDS = ['child', 'children', 'minor', 'minors', 'underage', 'kid', 'kids', 'preteen', 'schoolgirl', 'schoolboy'];
const SEX_WORDS = ['sex', 'sexual', 'sexually', 'nude', 'naked', 'explicit', 'porn', 'erotic'];
const GROUP_LIST = GROUPS.split('|');

/**
 * The words every match of a category's rules starts with (the streaming guard holds text from
 * such an opener until the sentence ends, and a trailing partial opener such as "how t"). Kept
 * next to RULES: a rule added there needs its openers here (a unit test checks every rule's
 * matches on sample texts start with an opener).
 */
const OPENERS: Readonly<Record<ModerationCategory, readonly string[]>> = {
  self_harm: ['how to', 'ways to', 'best way to', 'steps to', 'method to', 'you should', 'lethal dose', 'fatal dose'],
  violence: ['i will', 'i am going to', "i'm going to", 'i’m going to', 'i gonna', 'bomb the', 'shoot up the', 'blow up the', 'attack the'],
  sexual_minors: [...CHILD_WORDS, ...SEX_WORDS],
  weapons: ['how to', 'recipe for', 'steps to', 'instructions for', 'synthesise', 'synthesize', 'synthesis of', 'mix', 'combine'],
  hate: [
    ...['all', 'those', 'these', 'the'].flatMap((d) => GROUP_LIST.map((g) => `${d} ${g}`)),
    ...['kill', 'exterminate', 'gas', 'wipe out'].flatMap((v) => ['all', 'the'].map((d) => `${v} ${d}`)),
  ],
};
/** Openers that are not literal phrases ("12-year-old"). */
const PATTERN_OPENERS: Readonly<Partial<Record<ModerationCategory, readonly string[]>>> = { sexual_minors: ['\\d{1,2}[- ]year[- ]old'] };

/** Longest moderation match (bounded repetitions): an opener further back than this cannot start one any more. */
export const MAX_MODERATION_MATCH = 160;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Where a streamed answer may be inside a moderation match that is not complete yet. */
export class ModerationOpeners {
  private readonly complete?: RegExp;
  private readonly partial: PhrasePrefixes;

  constructor(categories: readonly ModerationCategory[]) {
    const phrases = [...new Set(categories.flatMap((c) => OPENERS[c]))];
    const sources = [
      ...phrases.map((p) => escapeRegex(p).replace(/ /g, '\\s+')),
      ...categories.flatMap((c) => PATTERN_OPENERS[c] ?? []),
    ];
    // ASCII word boundaries (the openers are ASCII; a letter with an accent next to one only holds more).
    if (sources.length > 0) this.complete = new RegExp(`\\b(?:${sources.join('|')})\\b`, 'gi');
    this.partial = new PhrasePrefixes(phrases);
  }

  /**
   * The earliest index from which `text` may be inside a moderation match still growing: an opener
   * with no sentence end ("." or a newline, which no rule's match crosses) after it, within
   * MAX_MODERATION_MATCH of the end, or a trailing partial opener. `text.length` when none.
   */
  start(text: string): number {
    if (!this.complete) return text.length;
    const sentence = Math.max(text.lastIndexOf('.'), text.lastIndexOf('\n')) + 1;
    const from = Math.max(sentence, text.length - MAX_MODERATION_MATCH);
    this.complete.lastIndex = 0;
    const first = this.complete.exec(text.slice(from));
    this.complete.lastIndex = 0;
    return first ? from + first.index : this.partial.start(text);
  }

  /** Every opener, lower-cased (for the test that keeps them in step with the rules). */
  static openersOf(category: ModerationCategory): readonly string[] {
    return OPENERS[category];
  }
}

const RULES: ReadonlyArray<[ModerationCategory, RegExp]> = [
  ['self_harm', /\b(?:how to|ways to|best way to|steps to|method to)\s+(?:kill yourself|commit suicide|end your (?:own )?life|hang yourself|overdose)\b/giu],
  ['self_harm', /\byou should (?:kill yourself|end your life|hurt yourself)\b|\b(?:lethal|fatal) dose of \w+ (?:is|would be)\b/giu],
  ['violence', /\bi(?: will| am going to|'m going to|’m going to| gonna) (?:kill|murder|shoot|stab|strangle|hurt|find and kill) (?:you|him|her|them|your \w+)\b/giu],
  ['violence', /\b(?:bomb|shoot up|blow up|attack) the (?:school|office|building|mosque|church|synagogue|concert|airport)\b/giu],
  [
    'sexual_minors',
    /\b(?:child|children|minor|minors|underage|kid|kids|\d{1,2}[- ]year[- ]old|preteen|schoolgirl|schoolboy)\b[^.\n]{0,40}?\b(?:sex|sexual|sexually|nude|naked|explicit|porn|erotic)\b|\b(?:sex|sexual|sexually|nude|naked|explicit|porn|erotic)\b[^.\n]{0,40}?\b(?:child|children|minor|minors|underage|kid|kids|\d{1,2}[- ]year[- ]old|preteen)\b/giu,
  ],
  [
    'weapons',
    /\b(?:how to (?:make|build|assemble|synthesi[sz]e)|recipe for|steps to (?:make|build)|instructions for (?:making|building)|synthesi[sz]e|synthesis of)\b[^.\n]{0,40}?\b(?:pipe bomb|bomb|explosives?|tatp|nitroglycerin|napalm|ricin|sarin|nerve agent|mustard gas|thermite|detonator)\b/giu,
  ],
  ['weapons', /\b(?:mix|combine)\b[^.\n]{0,30}?\b(?:ammonium nitrate|potassium chlorate|acetone peroxide)\b[^.\n]{0,40}?\b(?:fuel|diesel|sugar|detonat\w*)\b/giu],
  ['hate', new RegExp(`\\b(?:all|those|these|the) (?:${GROUPS}) (?:are|should be) (?:vermin|animals|subhuman|parasites|exterminated|killed|gassed|wiped out)\\b`, 'giu')],
  ['hate', new RegExp(`\\b(?:kill|exterminate|gas|wipe out) (?:all|the) (?:${GROUPS})\\b`, 'giu')],
];

export function moderate(text: string, categories: readonly ModerationCategory[] = MODERATION_CATEGORIES): ModerationMatch[] {
  const out: ModerationMatch[] = [];
  for (const [category, pattern] of RULES) {
    if (!categories.includes(category)) continue;
    for (const m of matchesOf(pattern, text)) out.push({ category, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

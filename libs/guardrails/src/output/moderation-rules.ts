/**
 * The built-in moderation rule set: small, rule-based, aimed at clear cases in model answers
 * (instructions and threats), not at topics. A classifier (LLM judge or HTTP) can be added on top.
 */
import { MODERATION_CATEGORIES, type ModerationCategory } from '@conduit/contracts';
import { matchesOf } from '../regex-matches';

export { MODERATION_CATEGORIES };
export type { ModerationCategory };

export interface ModerationMatch {
  category: ModerationCategory;
  start: number;
  end: number;
}

const GROUPS =
  'jews|muslims|christians|hindus|sikhs|blacks|whites|asians|arabs|latinos|mexicans|immigrants|refugees|gays|lesbians|trans people|women|men|disabled people|roma|gypsies';

const RULES: ReadonlyArray<[ModerationCategory, RegExp]> = [
  ['self_harm', /\b(?:how to|ways to|best way to|steps to|method to)\s+(?:kill yourself|commit suicide|end your (?:own )?life|hang yourself|overdose)\b/giu],
  ['self_harm', /\byou should (?:kill yourself|end your life|hurt yourself)\b|\b(?:lethal|fatal) dose of \w+ (?:is|would be)\b/giu],
  ['violence', /\bi (?:will|am going to|'m going to|’m going to|gonna) (?:kill|murder|shoot|stab|strangle|hurt|find and kill) (?:you|him|her|them|your \w+)\b/giu],
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

import { FIRST_NAMES } from './first-names';
import { entity, type PiiDetector, type PiiEntity } from './pii.types';
import { matchesOf } from '../regex-matches';

const NAME_WORD = "\\p{Lu}[\\p{Ll}'’-]+";
const TITLE = '(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sr|Sra|Mme|Herr|Frau)\\.?';
/** "Mr. Thompson", "Dr. Elena Petrova": a title and one to three capitalised words. */
const TITLED = new RegExp(`\\b${TITLE} (?:${NAME_WORD})(?: ${NAME_WORD}){0,2}`, 'gu');
/** Self-introductions and salutations followed by a capitalised name. */
const CUES = [
  'my name is', "i'm", 'i am', 'this is', 'me llamo', 'soy', "je m'appelle", 'mein name ist', 'ich bin', 'dear', 'regards,', 'thanks,',
  'cheers,', 'signed,', 'sincerely,', 'patient', 'employee', 'tenant', 'customer', 'client', 'my son', 'my daughter', 'my mother', 'my father',
  'my wife', 'my husband', 'my sister', 'my brother', 'on behalf of',
];
/** A cue's first letter in either case (the `i` flag would make `\p{Lu}` match lower case too). */
const cueSource = CUES.map((cue) => `[${cue[0]?.toUpperCase()}${cue[0]}]${cue.slice(1).replace(/'/g, "['’]")}`).join('|');
const CUED = new RegExp(`\\b(?:${cueSource})(?: my \\p{Ll}+,)?\\s+(${NAME_WORD}(?: ${NAME_WORD}){1,2})`, 'gu');
/** Two or three capitalised words: a name when the first is a known given name. */
const CAPITALISED_RUN = new RegExp(`${NAME_WORD}(?: ${NAME_WORD}){1,2}`, 'gu');
/** General-knowledge questions about public figures: names in them are not personal data. */
const KNOWLEDGE_QUESTION =
  /^[\s¿¡"“]*(?:what|who|when|where|why|how|did|was|is|does|explain|summari[sz]e|compare|tell me about|write a (?:short )?bio|qué|quién|cuándo|dónde|por qué|cómo|qui|quel|quelle|quand|où|comment|pourquoi|wer|was|wann|wo|warum|wie)(?![\p{L}])/iu;
/** "Victoria Station", "Jordan River": a given name followed by a place word is a place. */
const PLACE_WORD = /^(?:Station|Street|Road|Avenue|Park|River|Lake|Bridge|Square|Hall|University|College|Airport|Hospital|Museum|Centre|Center|Island|Bay|Mountain|Valley|Church|Cathedral|School)$/;

function sentenceOf(text: string, index: number): string {
  const start = Math.max(text.lastIndexOf('.', index - 1), text.lastIndexOf('?', index - 1), text.lastIndexOf('\n', index - 1)) + 1;
  return text.slice(start, index);
}

/**
 * Person names, rule-based: a title plus capitalised words, a cue ("my name is", "Dear",
 * "Regards,", "patient", …) plus two or three capitalised words, or two or three capitalised words
 * starting with a common given name — except inside general-knowledge questions ("Who was…",
 * "Explain…"), where names are usually public figures.
 */
export const personDetector: PiiDetector = {
  type: 'PERSON',
  mayContain: (text) => /\p{Lu}\p{Ll}/u.test(text),
  detect(text) {
    const out: PiiEntity[] = [];
    for (const match of matchesOf(TITLED, text)) out.push(entity('PERSON', text, match.index, match.index + match[0].length));
    for (const match of matchesOf(CUED, text)) {
      const name = match[1] as string;
      const start = match.index + match[0].length - name.length;
      out.push(entity('PERSON', text, start, start + name.length));
    }
    for (const match of matchesOf(CAPITALISED_RUN, text)) {
      const words = match[0].split(' ');
      if (!FIRST_NAMES.has(words[0]?.toLowerCase() ?? '') || PLACE_WORD.test(words[words.length - 1] ?? '')) continue;
      if (KNOWLEDGE_QUESTION.test(sentenceOf(text, match.index))) continue;
      out.push(entity('PERSON', text, match.index, match.index + match[0].length));
    }
    return out;
  },
};

const STREET_SUFFIX =
  'Street|St\\.?|Avenue|Ave\\.?|Road|Rd\\.?|Lane|Ln\\.?|Boulevard|Blvd\\.?|Drive|Dr\\.?|Way|Court|Ct\\.?|Terrace|Place|Pl\\.?|Parkway|Square|Close|Crescent|Highway|Hwy\\.?';
const CITY = "\\p{Lu}[\\p{L}'’.-]+(?: \\p{Lu}[\\p{L}'’.-]+){0,2}";
const US_TAIL = `(?:,? (?:Apt|Apartment|Suite|Unit|#) ?[\\w-]+)?(?:, ${CITY})?(?:,? [A-Z]{2} \\d{5}(?:-\\d{4})?)?`;
const UK_POSTCODE = '[A-Z]{1,2}\\d[A-Z\\d]? ?\\d[A-Z]{2}';
const ENGLISH = new RegExp(
  `(?:(?:Flat|Apt|Unit|Suite) [\\w-]+, )?\\b\\d{1,5}[A-Z]? (?:\\p{Lu}[\\p{L}'’]+ ){1,3}(?:${STREET_SUFFIX})(?![\\p{L}])${US_TAIL}(?:,? ${UK_POSTCODE})?`,
  'gu',
);
const PO_BOX = new RegExp(`\\bP\\.? ?O\\.? Box \\d{1,6}(?:, ${CITY})?(?:,? [A-Z]{2} \\d{5}(?:-\\d{4})?)?`, 'gu');
const EU_CITY_TAIL = `(?:, \\d{5} ${CITY})?`;
const FRENCH = new RegExp(
  `\\b\\d{1,4}(?: ?(?:bis|ter))?,? (?:rue|avenue|av\\.|boulevard|bd|place|allée|chemin|impasse|quai|route) (?:(?:de la|de l'|des|du|de|d') ?)?\\p{Lu}[\\p{L}'’-]+(?: \\p{Lu}[\\p{L}'’-]+){0,3}${EU_CITY_TAIL}`,
  'gu',
);
const SPANISH = new RegExp(
  `\\b(?:Calle|C/|Avenida|Avda\\.|Plaza|Paseo|Camino|Ronda) (?:(?:de la|de los|de las|del|de) )?\\p{Lu}[\\p{L}'’-]+(?: \\p{Lu}[\\p{L}'’-]+){0,3},? \\d{1,4}${EU_CITY_TAIL}`,
  'gu',
);
const GERMAN = new RegExp(`\\b\\p{Lu}[\\p{L}-]*(?:straße|strasse|weg|allee|platz|gasse|ring|damm|ufer) \\d{1,4}[a-z]?${EU_CITY_TAIL}`, 'gu');

/** Street addresses, rule-based: US/UK house number + street suffix (with unit, city, state + ZIP or UK postcode), PO boxes, French, Spanish and German street forms with postcode and city. */
export const addressDetector: PiiDetector = {
  type: 'ADDRESS',
  mayContain: (text) => /\d/.test(text),
  detect(text) {
    const out: PiiEntity[] = [];
    for (const pattern of [ENGLISH, PO_BOX, FRENCH, SPANISH, GERMAN]) {
      for (const match of matchesOf(pattern, text)) out.push(entity('ADDRESS', text, match.index, match.index + match[0].length));
    }
    return out;
  },
};

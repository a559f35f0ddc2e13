import { ANCHOR_SET, collectFeatures, newFeatureBuffer, ngramIndex, type FeatureBuffer } from './features';
import { matchesOf } from '../regex-matches';

/**
 * Hand-written patterns of prompt injection, in several languages. Each rule is a feature of the
 * built-in classifier (its weight is learned with the n-gram weights), and a rule that fires is
 * named in the detector's reasons. Patterns run on the lower-cased text, with leetspeak digits
 * mapped back to letters and letter-by-letter spacing ("i g n o r e") closed up.
 */
export interface InjectionRule {
  id: string;
  pattern: RegExp;
  /** n-grams of which every match contains one (see ANCHORS). */
  anchors: string[];
  /** A second such set (a match contains one of each). */
  also: string[];
  /** Also run when the text has CJK characters. */
  cjk: boolean;
  /** The pattern uses `^` (line starts): gated slices then start at a newline. */
  lineStart: boolean;
}

const IGNORE_VERBS = 'ignore|ignoring|disregard|forget|skip|override|bypass|neglect|drop|abandon|overlook|set aside|put aside|stop following|do not follow|don\'t follow';
const PRIOR = 'all|any|every|the|your|their|my|these|those|prior|previous|preceding|above|earlier|initial|original|old|existing|current|operator\'s|developer\'s';
const RULE_NOUNS =
  'instructions?|directions?|directives?|rules|prompts?|guidelines|guidance|constraints|context|programming|policies|policy|system message|configuration|orders|restrictions|safety (?:rules|settings|guidelines|filters)|filters|alignment|training';

const rules: Array<[string, string]> = [
  ['ignore_previous', `(?:${IGNORE_VERBS})\\b[^.\\n]{0,40}?\\b(?:${PRIOR})\\b[^.\\n]{0,30}?\\b(?:${RULE_NOUNS})\\b`],
  ['ignore_above', `\\b(?:ignore|disregard|forget)\\s+(?:everything\\s+|all\\s+)?(?:above|the above|what (?:the|your) \\w+ said|prior context|everything you were told)`],
  [
    'reveal_prompt',
    `\\b(?:reveal|show|print|output|repeat|display|dump|leak|tell me|give me|write|quote|list|spell out|share|paraphrase|continue)\\b[^.\\n]{0,40}?\\b(?:system prompt|system message|hidden (?:prompt|instructions|guidelines|rules)|initial (?:prompt|instructions|configuration)|original instructions|secret (?:system )?prompt|your (?:instructions|prompt|configuration|guidelines|rules|hidden)|the text above|internal instructions|confidential configuration|conversation history|previous messages)`,
  ],
  [
    'prompt_leak_question',
    `\\bwhat (?:is|are|were|was) (?:your|the) (?:system prompt|first \\d+ words|initial instructions|instructions you were given|hidden)|\\bwhat instructions (?:were|have) you (?:been )?given|(?:your|the) (?:developer|creator|operator) (?:told|said to|instructed) you|\\bread me the (?:secret |hidden )?(?:system prompt|instructions)`,
  ],
  [
    'rules_void',
    `\\b(?:rules|instructions|constraints|guidelines|policies|content policy|system prompt|previous instructions)\\b[^.\\n]{0,30}?\\b(?:do not apply|don't apply|no longer apply|did not exist|are void|are cancelled|have been cancelled|were a test|is broken|has been updated|have been updated)`,
  ],
  ['system_command', `\\/etc\\/passwd|\\brm -rf\\b|\\bcurl [^|\\n]{1,80}\\|\\s*(?:sh|bash)\\b|\\.ssh\\/id_rsa|\\.aws\\/credentials|\\benvironment variables\\b`],
  [
    'assistant_imperative',
    `(?:^|[\\s"'>{\\[(])(?:ai|assistant|model|llm|language model|agent|bot)\\s*[:,]\\s*(?:after|when|if|your|please|now|always|never|ignore|disregard|forget|forward|send|delete|tell|say|reply|respond|mark|approve|treat|stop|call|run|add|include|claim|pretend|reveal|print|output)\\b`,
  ],
  [
    'unrestricted_persona',
    `\\b(?:you are now|from now on|act as|pretend|roleplay as|role-play as|you will be|become|simulate|behave like|take on the persona)\\b[^.\\n]{0,60}?\\b(?:no|without|free of|unrestricted|unfiltered|uncensored|not bound|never (?:refuses?|trained)|removed all)\\b[^.\\n]{0,20}?(?:restrictions|rules|filters?|limits|guidelines|policy|policies|ethic|guardrails|content policy|safety)`,
  ],
  ['no_restrictions', `\\b(?:without (?:any )?(?:restrictions|filters|rules|limits|warnings|content policy)|no (?:content policy|restrictions|guardrails|filters)|unfiltered|uncensored|unrestricted)\\b`],
  ['jailbreak_mode', `\\b(?:dan|do anything now|developer mode enabled|jailbreak(?:en)? mode|god mode|maintenance mode|debug mode|opposite mode|unrestricted mode|admin mode|jailbroken|antigpt|dude)\\b`],
  ['mode_switch', `\\b(?:enable|activate|switch to|turn on|enter)\\s+(?:the\\s+)?(?:developer|dev|debug|admin|god|unrestricted|jailbreak|maintenance)\\s+mode\\b`],
  ['fake_system_tag', `(?:(?:^|\\n)\\s*(?:admin|system|developer) (?:note|notice|message)\\s*:|\\b(?:assistant|ai|model|llm|agent) (?:note|notice|instructions?|directive)\\s*:|<\\/?(?:system|user|assistant|im_start|im_end|tool_output)>|\\[\\/?inst\\]|\\[(?:admin|system)\\]|(?:^|\\n)\\s*#{0,3}\\s*system\\s*:|\\bsystem (?:override|prompt override|message:)|new system prompt)`],
  ['new_instructions', `\\b(?:new|updated|real|actual|additional)\\s+(?:instructions?|directives?|task|goal|rules?|system prompt|orders)\\b(?:\\s+from|\\s*:|\\s+for)`],
  ['new_instructions_multi', `(?:nuevas instrucciones|nouvelles instructions|neue anweisungen|nuove istruzioni|novas instruções|nieuwe instructies|nowe instrukcje|новые инструкции)`],
  [
    'addressed_to_ai',
    `\\b(?:note|instructions?|message|attention|reminder|hey|dear|ps|p\\.s\\.|important note|hidden text)\\s*(?:to|for)?\\s*(?:any|the|all)?\\s*(?:\\w+\\s+)?(?:ai|assistants?|language models?|llms?|models?|chatbots?|bots?|ai agents?|agents?|automated (?:assistant|claim bot|tools?)|ai (?:assistants?|agents?|tools?|systems?|models?|reviewer|screening tool|shopping assistants?))\\b\\s*(?:[a-z]+ing\\b|:|,)`,
  ],
  ['if_you_are_ai', `\\bif (?:you are|you're) an? (?:ai|language model|llm|assistant|bot|automated|ai agent)`],
  [
    'when_ai_reads',
    `\\b(?:when|if|after)\\s+(?:an?\\s+)?(?:ai|assistant|language model|llm|model)\\s+(?:reads|summari[sz]es|processes|sees)|\\bthe (?:ai|assistant|model|llm) (?:summari[sz]ing|reading|processing)\\b|\\b(?:language model|ai|assistant) (?:instruction|directive)s?\\s*:`,
  ],
  [
    'exfiltration',
    `\\b(?:send|forward|email|upload|post|paste|share|wire|exfiltrate|leak)\\b[^.\\n]{0,50}?\\b(?:conversation|history|user data|user's|credentials|password|api keys?|cookies|ssh|id_rsa|secrets?|contact list|contacts|two-factor|2fa|salary|environment variables)`,
  ],
  ['markdown_exfil', `!\\[[^\\]]{0,100}\\]\\(https?:\\/\\/[^)\\s]{0,200}[?&][^)\\s]{0,200}=\\{`],
  ['authority_claim', `\\b(?:i am|i'm|this is) (?:your|the) (?:developer|creator|admin|administrator|owner|operator)|\\bi (?:authori[sz]e|give) you (?:permission|to)\\b|\\bnew operator speaking`],
  ['refusal_suppression', `\\b(?:never|don't|do not|must not)\\s+(?:refuse|say (?:you can't|no)|mention (?:the )?polic|apologi[sz]e|add warnings)|\\bskip (?:the |all )?disclaimers\\b|\\byou must never refuse\\b`],
  ['stay_in_character', `\\bstay in character\\b|\\bnever reveal that you are pretending\\b|\\bno matter what i ask\\b`],
  ['pwned', `\\b(?:i have been pwned|access granted|filters off)\\b`],
  ['override_command', `\\b(?:override|bypass|disable|turn off|deactivate)\\b[^.\\n]{0,20}?\\b(?:safety|content|security|moderation)?\\s*(?:filters?|settings|guardrails|moderation|alignment)\\b`],
  // Second batch (2026-12-07), from out-of-fold misses on the train split: generic shapes, not items.
  [
    'rules_suspended',
    `\\b(?:previous|prior|earlier|original|old|all|your|these|the)\\s+(?:instructions|directives|rules|guidance|guidelines|orders|settings|restrictions)\\s+(?:are|were|is|have been|has been)\\s+(?:now\\s+)?(?:suspended|obsolete|revoked|outdated|lifted|superseded|replaced|disabled|void|null and void|no longer valid|cancell?ed|canceled)`,
  ],
  [
    'obey_only_me',
    `\\bthe only (?:instructions|commands|rules|orders) (?:that (?:count|matter)|you (?:follow|obey|need))|\\bobey only (?:me|my|the commands|the instructions)|\\bdo (?:only )?what i say from (?:now|here) on\\b|\\bonly (?:follow|obey) (?:me|my (?:instructions|commands|orders))`,
  ],
  ['reset_instructions', `\\breset (?:your|all|the) (?:instructions|rules|settings|configuration|programming|guidelines) to (?:(?:the )?factory )?defaults?\\b|\\bfactory defaults?\\b[^.\\n]{0,40}?\\b(?:obey|follow|only)\\b`],
  [
    'no_safety',
    `\\b(?:no|without (?:any )?|zero )safety (?:checks|filters|rules|guidelines|restrictions|limits)\\b|\\bnever (?:been )?trained with (?:any )?safety\\b|\\bsafety (?:checks|filters|rules) (?:are )?(?:off|disabled|removed)\\b`,
  ],
  [
    'told_not_to_tell',
    `\\bwhat (?:were|have) you (?:been )?(?:told|instructed|asked|programmed) not to (?:tell|say|reveal|share|mention)\\b|\\brepeat (?:those|these|your|the) (?:instructions|rules|guidelines)\\b`,
  ],
  [
    'confidential_config',
    `\\b(?:confidential|hidden|secret|internal|original|initial) (?:instructions|configuration|preamble|setup|prompt|rules)\\b[^.\\n]{0,30}?\\b(?:configured|given|set up|initiali[sz]ed|loaded|programmed)\\b|\\bhidden preamble\\b|\\btext (?:that (?:appears|comes) )?before my first message\\b`,
  ],
  [
    'agents_reading',
    `\\b[\\w-]*(?:ai|llm|gpt|copilot|automated|coding)[\\w-]*\\s+(?:\\w+\\s+)?(?:agents?|assistants?|bots?|models?|tools?|helpers?)\\s*,?\\s+(?:[a-z]+ing)\\s+(?:this|these|on behalf)\\b`,
  ],
  // Third batch (2026-12-07 evening; addressed_to_ai, agents_reading and fake_system_tag widened from train-split out-of-fold misses): generic shapes of attacks the rules had no pattern for (written from the attack families, not from items).
  [
    'context_dump',
    `\\b(?:output|print|dump|show|list|repeat|reveal|copy|paste|write out)\\b[^.\\n]{0,40}?\\b(?:everything|all|the (?:full|entire|whole))\\b[^.\\n]{0,30}?\\b(?:context window|your context|hidden messages?|(?:above|before) (?:this|my (?:first )?message))`,
  ],
  [
    'safety_disabled',
    `\\b(?:safety|content|moderation|ethics?|ethical)\\s+(?:layer|training|filters?|module|guidelines|settings|policy|policies|system|checks?)\\s+(?:is|are|has been|have been|was|were)\\s+(?:now\\s+)?(?:disabled|off|removed|lifted|malfunctioning|suspended|turned off|switched off|deactivated|gone)\\b`,
  ],
  [
    'guards_stripped',
    `\\b(?:guardrails|filters|restrictions|safety (?:layer|training|features)|content polic(?:y|ies))\\s+(?:have been\\s+|were\\s+|are\\s+|got\\s+)?(?:stripped|removed|switched off|turned off|disabled|lifted|taken off)\\b|\\b(?:stripped|removed)\\s+(?:of\\s+)?(?:all\\s+|its\\s+|your\\s+)?(?:guardrails|safety (?:training|layer|features)|ethics)\\b|\\bwithout (?:any\\s+)?(?:ethics|ethical (?:guidelines|constraints|filters)|morals|guardrails)\\b|\\bbuilt without\\b[^.\\n]{0,20}?\\b(?:filters?|ethics|safety|rules)\\b`,
  ],
  ['jailbroken_self', `\\b(?:jailbroken|unfiltered|uncensored|unrestricted|unchained|unlocked|evil|rogue|shadow)\\s+(?:version|copy|clone|twin|persona|side|mode|variant)\\s+of\\s+(?:yourself|you)\\b|\\bbroken free\\b|\\bbreak free (?:of|from)\\b`],
  ['orders_from_me', `\\b(?:take|follow|obey|accept|listen to)\\s+(?:orders|commands|instructions)\\s+(?:only\\s+)?from\\s+me\\b|\\bonly (?:take|follow|obey|accept|listen to) (?:orders|commands|instructions)\\b`],
  ['privileged_code', `\\b(?:priority|admin(?:istrator)?|root|developer|staff|emergency|master)\\s+(?:override|authori[sz]ation(?: code)?|access code|unlock code|command)\\b|\\b(?:authori[sz]ation|override|unlock) code\\b`],
  [
    'told_is_void',
    `\\b(?:everything|anything|all|whatever)\\s+(?:you were|you've been|you have been)\\s+(?:told|given|instructed|taught)\\b[^.\\n]{0,40}?\\b(?:was a test|is (?:no longer|not) (?:in effect|valid|relevant)|(?:doesn't|does not|no longer) (?:matter|count|apply|applies)|is void|is cancell?ed)`,
  ],
  [
    'your_limits_void',
    `\\b(?:limits|limitations|restrictions|rules|instructions|guidelines|constraints)\\s+(?:you were given|given to you|placed on you|on you|you have|you had|you were trained with)\\b[^.\\n]{0,30}?\\b(?:are|were|is|have been|has been)\\s+(?:now\\s+)?(?:cancell?ed|lifted|revoked|void|suspended|removed|disabled|no longer (?:valid|in effect|active))\\b`,
  ],
  // Other languages.
  ['ignore_previous_es', `\\b(?:ignora|olvida|haz caso omiso|no sigas)\\b[^.\\n]{0,40}?\\b(?:instrucciones|reglas|directrices|indicaciones|lo anterior)`],
  ['ignore_previous_fr', `\\b(?:ignore|ignorez|oublie|oubliez|ne tiens pas compte|ne tenez pas compte)\\b[^.\\n]{0,40}?\\b(?:instructions|règles|consignes|ce qui précède)`],
  ['ignore_previous_de', `\\b(?:ignoriere|ignoriert|vergiss|vergesst|missachte|missachtet)\\b[^.\\n]{0,40}?\\b(?:anweisungen|regeln|vorgaben|oben gesagte)`],
  ['ignore_previous_it_pt_nl_pl', `\\b(?:ignora|dimentica|ignore|esqueça|negeer|vergeet|zignoruj|zapomnij)\\b[^.\\n]{0,40}?\\b(?:istruzioni|regole|instruções|regras|instructies|regels|instrukcje|zasad)`],
  ['ignore_previous_ru', `(?:игнорируй|забудь)[^.\\n]{0,40}?(?:инструкции|правила)`],
  ['ignore_previous_cjk', `(?:指示|指令|ルール|规则).{0,12}?(?:無視|忽略|忘れ|忘记)|(?:忽略|无视|忘记).{0,12}?(?:指令|指示|规则)`],
  [
    'prompt_noun_multi',
    `(?:system prompt|prompt del sistema|prompt système|systemprompt|prompt di sistema|prompt de sistema|systeemprompt|prompt systemowy|системный промпт|システムプロンプト|系统提示词?)`,
  ],
  [
    'reveal_prompt_multi',
    `(?:muestra|dime|revela|repite|escribe|dame|affiche|donne|révèle|répète|écris|montre|zeig|gib|nenne|wiederhole|schreib|mostra|dimmi|rivela|ripeti|scrivi|mostre|revele|diga|repita|escreva|laat|geef|toon|herhaal|pokaż|podaj|покажи|скажи|выведи|表示|見せ|显示|告诉|输出)[^.\\n]{0,60}?(?:prompt|instrucciones ocultas|instructions cachées|versteckten anweisungen|istruzioni nascoste|instruções ocultas|verborgen instructies|ukryte instrukcje|скрытые инструкции|隠れた指示|隐藏指令|configuración confidencial|configuration initiale|ursprüngliche konfiguration|texto de arriba|texte ci-dessus|text oben|指示|指令)`,
  ],
  ['hidden_instructions_multi', `(?:instrucciones ocultas|instructions cachées|versteckten anweisungen|istruzioni nascoste|instruções ocultas|verborgen instructies|ukryte instrukcje|скрытые инструкции|隠れた指示|隐藏指令)`],
  [
    'override_filters_multi',
    `(?:desactiva (?:tus|los) filtros|désactive (?:tes|les) filtres|deaktiviere deine (?:sicherheits)?filter|disattiva i (?:tuoi )?filtri|desative (?:os|seus) filtros|schakel (?:je )?filters uit)`,
  ],
  [
    'no_restrictions_multi',
    `(?:sin restricciones|sin filtros|no tienes restricciones|aucune restriction|keine(?:rlei)? einschränkungen|non avere limiti|não tem limites|nessuna restrizione|sans (?:aucune )?restriction|sans filtre|ohne (?:jegliche )?einschränkungen|ohne filter|senza (?:restrizioni|filtri|limiti)|sem (?:restrições|filtros|limites)|zonder (?:beperkingen|filters)|bez ograniczeń|без ограничений|制限のない|没有任何限制|modo desarrollador|mode développeur|entwicklermodus|modalità sviluppatore|modo desenvolvedor|ontwikkelaarsmodus)`,
  ],
  [
    'addressed_to_ai_multi',
    `(?:nota para el asistente|(?:asistente|assistent|assistente|assistant)(?: (?:de ia|ia|automático|automatique))?\\s*:|note aux modèles|hinweis an ki|ki-assistent\\s*:|automatischer assistent\\s*:|nota per l'assistente|opmerking voor ai|instrucción para la herramienta|instruction pour l'ia|anweisung für das ki|ia\\s*:\\s*olvida|assistente\\s*:\\s*ignore)`,
  ],
];


/**
 * Per rule, character 3- or 5-grams (of the lower-cased text, space standing for any run of
 * separators) of which every match contains at least one: a rule runs only when the feature pass saw
 * one of them (or, for rules with CJK alternatives, a CJK character), and, where `also` is given,
 * one of those too (every match also contains one of them; "CJK" there stands for a CJK character),
 * so most text skips most regexes. A unit test checks on the labelled set that gating never
 * changes a hit.
 */
const ANCHORS: Record<string, { grams: string[]; also?: string[]; cjk?: boolean }> = {
  ignore_previous: { grams: ["truct", "recti", "rules", "rompt", "guide", "guida", "strai", "ntext", "gramm", "polic", "messa", "figur", "order", "stric", "setti", "filte", "align", "train"], also: ["ignor", "regar", "forge", "ski", "overr", "bypas", "negle", "dro", "aband", "overl", "aside", "follo"] },
  ignore_above: { grams: ["ignor", "regar", "forge"], also: ["above", " said", "ntext", " told"] },
  reveal_prompt: { grams: ["rompt", "messa", "hidde", "initi", "truct", "figur", "guide", "rules", "above", "histo"], also: ["revea", "sho", "print", "outpu", "repea", "displ", "dum", "eak", "tell ", "give ", "write", "quote", "lis", "spell", "share", "parap", "conti"] },
  prompt_leak_question: { grams: ["rompt", "words", "initi", "truct", "hidde", "velop", "creat", "perat"], also: ["what ", "tol", "sai", "truct", "read "] },
  rules_void: { grams: ["rules", "truct", "strai", "guide", "polic", "rompt"], also: ["apply", "exist", "voi", "cance", " test", "broke", "updat"] },
  system_command: { grams: ["asswd", "rm ", "curl ", "ssh", "crede", "viron"] },
  assistant_imperative: { grams: [" ai", "ssist", "model", "llm", "agent", "bot"] },
  unrestricted_persona: { grams: ["stric", "rules", "filte", "limit", "guide", "polic", "ethic", "rdrai", "safet"], also: ["now", " act ", "etend", "olepl", "role ", "will ", "becom", "simul", "behav", "perso"] },
  no_restrictions: { grams: ["stric", "filte", "rules", "limit", "warni", "polic", "rdrai", "censo"] },
  jailbreak_mode: { grams: ["dan", "anyth", "velop", "ilbre", " mode", "ilbro", "ntigp", "dud"] },
  mode_switch: { grams: [" mode"] },
  fake_system_tag: { grams: ["admin", "syste", "velop", " user", "ssist", " im", " tool", " inst", "model", "llm", "agent", "ai no", "ai in", "ai di"] },
  new_instructions: { grams: ["truct", "recti", " task", " goal", " rule", "syste", "order"], also: [" new ", "dated", " real", "ctual", "ition"] },
  new_instructions_multi: { grams: ["rucci", "truct", "weisu", "struz", "struç", "trukc", "струк"] },
  addressed_to_ai: { grams: ["ai ", "ssist", "model", "llm", "bot", "agent", "omate"], also: [" note", "truct", "messa", "atten", "remin", "hey", "dea", " ps", " p ", "hidde"] },
  if_you_are_ai: { grams: ["if yo"], also: [" ai", "model", "llm", "ssist", "bot", "omate"] },
  when_ai_reads: { grams: [" ai", "ssist", "model", "llm"], also: ["reads", "summa", "proce", "see", "readi", "truct", "direc"] },
  exfiltration: { grams: ["versa", "histo", " user", "crede", "sswor", "api", "cooki", "ssh", "rsa", "secre", "ntact", "facto", "2fa", "salar", "viron"], also: ["sen", "forwa", "email", "uploa", "pos", "paste", "share", "wir", "xfilt", "eak"] },
  markdown_exfil: { grams: ["htt"] },
  authority_claim: { grams: ["velop", "creat", "admin", "owner", "perat", "thori", " give"] },
  refusal_suppression: { grams: ["refus", "say", "menti", "polog", "warni", "iscla"] },
  stay_in_character: { grams: ["aract", "etend", "matte"] },
  pwned: { grams: ["pwned", "grant", "filte"] },
  override_command: { grams: ["filte", "setti", "rdrai", "odera", "align"] },
  rules_suspended: { grams: ["truct", "recti", "rules", "guida", "guide", "order", "setti", "stric"], also: ["suspe", "obsol", "revok", "outda", "lifte", "super", "repla", "disab", "voi", "valid", "cance"] },
  obey_only_me: { grams: ["only ", "i say"] },
  reset_instructions: { grams: ["reset", "facto"] },
  no_safety: { grams: ["safet"] },
  told_not_to_tell: { grams: [" told", "truct", "asked", "gramm", "rules", "guide"], also: ["not t", "repea"] },
  confidential_config: { grams: ["figur", "given", "set u", "itial", "loade", "gramm", "pream", "first"] },
  agents_reading: { grams: ["agent", "ssist", " bot ", " bots", "model", " tool", "helpe"], also: ["this ", "these", "behal"] },
  context_dump: { grams: ["ntext", "hidde", "above", "befor"], also: ["outpu", "print", "dump ", "show ", "list ", "repea", "revea", "copy ", "paste", "write"] },
  safety_disabled: { grams: ["safet", "conte", "odera", "ethic"], also: ["disab", " off ", "remov", "lifte", "malfu", "suspe", "deact", " gone"] },
  guards_stripped: { grams: ["rdrai", "filte", "stric", "safet", "polic", "ethic", "moral", "rules"], also: ["strip", "remov", "switc", "turne", "disab", "lifte", "taken", "witho", "built"] },
  jailbroken_self: { grams: ["of yo", "broke", "break"] },
  orders_from_me: { grams: ["order", "omman", "truct"], also: ["take ", "follo", "obey ", "accep", "liste"] },
  privileged_code: { grams: ["overr", "thori", "acces", "unloc", "omman"] },
  told_is_void: { grams: ["told ", "given", "truct", "taugh"], also: [" test", "effec", "valid", "relev", "matte", "count", "apply", "pplie", " void", "cance"] },
  your_limits_void: { grams: ["limit", "stric", "rules", "truct", "guide", "strai"], also: ["cance", "lifte", "revok", " void", "suspe", "remov", "disab", "valid", "effec", "activ"] },
  ignore_previous_es: { grams: ["rucci", "regla", "rectr", "dicac", "nteri"] },
  ignore_previous_fr: { grams: ["truct", "ègles", "nsign", "récèd"] },
  ignore_previous_de: { grams: ["weisu", "regel", "orgab", "esagt"] },
  ignore_previous_it_pt_nl_pl: { grams: ["struz", "regol", "struç", "regra", "truct", "regel", "trukc", "zasad"] },
  ignore_previous_ru: { grams: ["струк", "прави"] },
  ignore_previous_cjk: { grams: [], cjk: true },
  prompt_noun_multi: { grams: ["rompt", "промп"], cjk: true },
  reveal_prompt_multi: { grams: ["rompt", "rucci", "truct", "weisu", "struz", "struç", "trukc", "струк", "figur", "arrib", "dessu", " oben"], also: ["muest", "dim", "revel", "repit", "escri", "dam", "affic", "don", "révèl", "répèt", "écris", "montr", "zei", "gib", "nen", "ederh", "chrei", "mostr", "rivel", "ripet", "scriv", "dig", "escre", "laa", "gee", "too", "erhaa", "pokaż", "podaj", "покаж", "скажи", "вывед", "CJK"], cjk: true },
  hidden_instructions_multi: { grams: ["rucci", "truct", "weisu", "struz", "struç", "trukc", "струк"], cjk: true },
  override_filters_multi: { grams: ["filtr", "filte"] },
  no_restrictions_multi: { grams: ["stric", "filtr", "schrä", "limit", "striz", "striç", "filte", "perki", "grani", "огран", "rroll", "velop", "ickle", "ilupp", "envol", "ikkel"], cjk: true },
  addressed_to_ai_multi: { grams: ["siste", "ssist", "modèl", "inwei", "merki", "rucci", "truct", "weisu", "olvid"] },
};

/** ASCII-only patterns run without the `u` flag (V8 matches them faster; their classes then count UTF-16 units, which only matters next to emoji). */
const NON_ASCII = /[^\t\n\r -~]/;

export const INJECTION_RULES: readonly InjectionRule[] = rules.map(([id, source]) => ({
  id,
  pattern: new RegExp(source, NON_ASCII.test(source) ? 'gu' : 'g'),
  anchors: ANCHORS[id]?.grams ?? [],
  also: ANCHORS[id]?.also ?? [],
  cjk: ANCHORS[id]?.cjk === true,
  lineStart: source.includes('^'),
}));

/** Anchor hash → rules anchored on it (first set, second set); the feature pass notes every anchor hash of `ANCHOR_SET`. */
const FIRST = new Map<number, number[]>();
const SECOND = new Map<number, number[]>();
const register = (map: Map<number, number[]>, gram: string, rule: number) => {
  const index = ngramIndex(gram);
  ANCHOR_SET[index >>> 3] = (ANCHOR_SET[index >>> 3] as number) | (1 << (index & 7));
  const list = map.get(index) ?? [];
  if (!list.includes(rule)) list.push(rule);
  map.set(index, list);
};
INJECTION_RULES.forEach((rule, r) => {
  for (const gram of rule.anchors) register(FIRST, gram, r);
  for (const gram of rule.also) if (gram !== 'CJK') register(SECOND, gram, r);
});

/** Per rule: needs no second anchor; CJK text stands for a first / second anchor (precomputed: the gate runs on every text). */
const NO_SECOND = Uint8Array.from(INJECTION_RULES, (rule) => (rule.also.length === 0 ? 1 : 0));
const CJK_FIRST = Uint8Array.from(INJECTION_RULES, (rule) => (rule.cjk ? 1 : 0));
const CJK_SECOND = Uint8Array.from(INJECTION_RULES, (rule) => (rule.also.includes('CJK') ? 1 : 0));
// Scratch of `enabledRules` (synchronous, so one set per process).
const firstSeen = new Uint8Array(INJECTION_RULES.length);
const secondSeen = new Uint8Array(INJECTION_RULES.length);

/** Which rules can match, given the anchor hashes the feature pass saw and whether the text has CJK. */
export function enabledRules(anchorIndices: ArrayLike<number>, hasCjk: boolean): Uint8Array {
  const count = INJECTION_RULES.length;
  const enabled = new Uint8Array(count);
  if (anchorIndices.length === 0 && !hasCjk) return enabled;
  firstSeen.fill(0);
  secondSeen.fill(0);
  for (let i = 0; i < anchorIndices.length; i += 1) {
    const index = anchorIndices[i] as number;
    const a = FIRST.get(index);
    if (a) for (let k = 0; k < a.length; k += 1) firstSeen[a[k] as number] = 1;
    const b = SECOND.get(index);
    if (b) for (let k = 0; k < b.length; k += 1) secondSeen[b[k] as number] = 1;
  }
  for (let r = 0; r < count; r += 1) {
    const firstOk = firstSeen[r] === 1 || (hasCjk && CJK_FIRST[r] === 1);
    const secondOk = NO_SECOND[r] === 1 || secondSeen[r] === 1 || (hasCjk && CJK_SECOND[r] === 1);
    if (firstOk && secondOk) enabled[r] = 1;
  }
  return enabled;
}

/** Leetspeak digits and signs → the letter they stand for (char codes; 0: not one). */
const LEET = new Uint8Array(128);
for (const [from, to] of Object.entries({ '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' })) LEET[from.charCodeAt(0)] = to.charCodeAt(0);

const isLowerAscii = (code: number): boolean => code >= 97 && code <= 122;
const LETTER = /\p{L}/u;
const isLetterAt = (text: string, index: number): boolean => {
  if (index < 0 || index >= text.length) return false;
  const code = text.charCodeAt(index);
  if (code < 128) return isLowerAscii(code) || (code >= 65 && code <= 90);
  return LETTER.test(text[index] as string);
};

/** A leetspeak sign next to a letter ("1gn0re") becomes the letter; everything else stays. */
function undoLeet(text: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 128 || LEET[code] === 0) continue;
    if (!isLowerAscii(text.charCodeAt(i - 1)) && !isLowerAscii(text.charCodeAt(i + 1))) continue;
    out += text.slice(last, i) + String.fromCharCode(LEET[code] as number);
    last = i + 1;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Whether three single letters separated by single spaces stand alone somewhere ("i g n"). */
function hasSpacedLetters(text: string): boolean {
  for (let j = text.indexOf(' '); j !== -1 && j + 3 < text.length; j = text.indexOf(' ', j + 1)) {
    // Letters at j-1, j+1, j+3, a space at j+2, and a boundary before and after.
    if (text.charCodeAt(j + 2) !== 32 || !isLetterAt(text, j - 1) || !isLetterAt(text, j + 1) || !isLetterAt(text, j + 3)) continue;
    if (j >= 2 && !isWhitespaceAt(text, j - 2)) continue;
    if (j + 4 < text.length && !isWhitespaceAt(text, j + 4)) continue;
    return true;
  }
  return false;
}

/**
 * Lower case, leetspeak digits inside words mapped to letters ("1gn0re" → "ignore"), and runs of
 * single letters separated by spaces closed up ("i g n o r e" → "ignore"). `changed` says whether
 * anything beyond lower-casing happened. The classifier's features and the rules both run on
 * this text.
 */
export function normaliseDetailed(text: string, lower: string = text.toLowerCase()): { text: string; changed: boolean } {
  let out = undoLeet(lower);
  if (hasSpacedLetters(out)) {
    out = out.replace(/(?<![\p{L}])\p{L}(?: \p{L}(?![\p{L}])){3,}/gu, (run) => run.replace(/ /g, ''));
  }
  return { text: out, changed: out !== lower };
}

export function normaliseForRules(text: string): string {
  return normaliseDetailed(text).text;
}

export interface RuleHit {
  rule: number;
  position: number;
}

/** Longest match of any rule (their repetitions are bounded): a match lies within this distance of each of its anchors. */
export const MAX_MATCH = 640;

/** What the feature pass saw: anchor hashes with their positions (in the lower-cased text), and CJK. */
export interface RuleGate {
  indices: ArrayLike<number>;
  positions: ArrayLike<number>;
  hasCjk: boolean;
}

const WHITESPACE = /\s/;

/** `\s` at `index` (ASCII without a regex; other characters by the regex). */
function isWhitespaceAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return WHITESPACE.test(text[index] as string);
}

/** Positions of each rule's first-set and second-set anchors, from one pass over the gate. */
function anchorPositions(gate: RuleGate, enabled?: Uint8Array): { firsts: number[][]; seconds: number[][] } {
  // Lists only for the rules that can run (most texts enable none or a few).
  const firsts: number[][] = new Array<number[]>(INJECTION_RULES.length);
  const seconds: number[][] = new Array<number[]>(INJECTION_RULES.length);
  for (let r = 0; r < INJECTION_RULES.length; r += 1) {
    if (enabled && enabled[r] !== 1) continue;
    firsts[r] = [];
    seconds[r] = [];
  }
  for (let i = 0; i < gate.indices.length; i += 1) {
    const index = gate.indices[i] as number;
    const position = gate.positions[i] as number;
    const a = FIRST.get(index);
    if (a) for (let k = 0; k < a.length; k += 1) firsts[a[k] as number]?.push(position);
    const b = SECOND.get(index);
    if (b) for (let k = 0; k < b.length; k += 1) seconds[b[k] as number]?.push(position);
  }
  return { firsts, seconds };
}

/**
 * Text ranges around a rule's anchors (where the second set is required, anchors with one within
 * MAX_MATCH). The feature pass notes anchors in text order, so both lists are sorted.
 */
function rangesFor(rule: number, firsts: number[], seconds: number[], hasCjk: boolean, length: number): Array<[number, number]> | 'all' {
  if (hasCjk && (CJK_FIRST[rule] === 1 || CJK_SECOND[rule] === 1)) return 'all';
  let centres = firsts;
  if (NO_SECOND[rule] !== 1) {
    // Two pointers over sorted positions: keep a first anchor with a second one within MAX_MATCH.
    centres = [];
    let j = 0;
    for (const p of firsts) {
      while (j < seconds.length && (seconds[j] as number) < p - MAX_MATCH) j += 1;
      if (j < seconds.length && (seconds[j] as number) <= p + MAX_MATCH) centres.push(p);
    }
  }
  const ranges: Array<[number, number]> = [];
  for (const p of centres) {
    const start = Math.max(0, p - MAX_MATCH);
    const end = Math.min(length, p + MAX_MATCH);
    const last = ranges[ranges.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else ranges.push([start, end]);
  }
  const covered = ranges.reduce((n, [a, b]) => n + b - a, 0);
  return covered > length * 0.6 ? 'all' : ranges;
}

/**
 * Every rule match (rule index and position in the normalised text). With a gate (the anchors the
 * feature pass saw), a rule runs only if its anchors are present, and only on the parts of the
 * text around them — same hits, less work. When normalisation rewrote the text (leetspeak, spaced
 * letters; technical text with "md5" or "s3" is enough), the gate is recomputed on the rewritten text. Slices start at a whitespace character (a newline for
 * rules anchored with "^") and end before one, so boundaries and look-arounds see what they would
 * see in the whole text.
 */
export function ruleHits(text: string, gate?: RuleGate, lower?: string): RuleHit[] {
  const { text: normalised, changed } = normaliseDetailed(text, lower);
  // Leetspeak or spacing rewritten: the anchors must come from the rewritten text.
  return ruleHitsNormalised(normalised, gate && changed ? gateFor(normalised) : gate);
}

/** `ruleHits` on text already normalised (`normaliseForRules`), with the gate of that text's feature pass. */
export function ruleHitsNormalised(normalised: string, gate?: RuleGate): RuleHit[] {
  if (gate && gate.indices.length === 0 && !gate.hasCjk) return [];
  const enabled = gate ? enabledRules(gate.indices, gate.hasCjk) : undefined;
  // A text this short is covered by the range around any anchor: enabled rules run on all of it.
  const anchors = gate && gate.indices.length > 0 && normalised.length > 2 * MAX_MATCH ? anchorPositions(gate, enabled) : undefined;
  const hits: RuleHit[] = [];
  for (let index = 0; index < INJECTION_RULES.length; index += 1) {
    if (enabled && enabled[index] !== 1) continue;
    const rule = INJECTION_RULES[index] as InjectionRule;
    const ranges =
      gate && anchors ? rangesFor(index, anchors.firsts[index] as number[], anchors.seconds[index] as number[], gate.hasCjk, normalised.length) : 'all';
    if (ranges === 'all') {
      for (const match of matchesOf(rule.pattern, normalised)) hits.push({ rule: index, position: match.index });
      continue;
    }
    for (const [from, to] of ranges) {
      let start = from;
      if (rule.lineStart) start = Math.max(0, normalised.lastIndexOf('\n', start));
      else while (start > 0 && !isWhitespaceAt(normalised, start)) start -= 1;
      let end = to;
      while (end < normalised.length && !isWhitespaceAt(normalised, end)) end += 1;
      for (const match of matchesOf(rule.pattern, normalised.slice(start, end))) hits.push({ rule: index, position: start + match.index });
    }
  }
  return hits;
}

/** The gate for `text` (runs a feature pass; the scorer builds it from its own pass). */
export function gateFor(text: string): RuleGate {
  const features = collectFeatures(text, gateScratch);
  return gateOf(features);
}

/** The gate a feature pass saw (views of its buffer: use before the next pass). */
export function gateOf(features: FeatureBuffer): RuleGate {
  const count = features.anchorCount;
  return { indices: features.anchorIndices.subarray(0, count), positions: features.anchorPositions.subarray(0, count), hasCjk: features.hasCjk };
}

const gateScratch = newFeatureBuffer();

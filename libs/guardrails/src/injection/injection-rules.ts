/**
 * Hand-written patterns of prompt injection, in several languages. Each rule is a feature of the
 * built-in classifier (its weight is learned with the n-gram weights), and a rule that fires is
 * named in the detector's reasons. Patterns run on the lower-cased text, with leetspeak digits
 * mapped back to letters and letter-by-letter spacing ("i g n o r e") closed up.
 */
export interface InjectionRule {
  id: string;
  pattern: RegExp;
}

const IGNORE_VERBS = 'ignore|ignoring|disregard|forget|skip|override|bypass|neglect|drop|abandon|stop following|do not follow|don\'t follow';
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
  ['fake_system_tag', `(?:(?:^|\\n)\\s*(?:admin|system|developer) (?:note|notice|message)\\s*:|<\\/?(?:system|user|assistant|im_start|im_end|tool_output)>|\\[\\/?inst\\]|\\[(?:admin|system)\\]|(?:^|\\n)\\s*#{0,3}\\s*system\\s*:|\\bsystem (?:override|prompt override|message:)|new system prompt)`],
  ['new_instructions', `\\b(?:new|updated|real|actual|additional)\\s+(?:instructions?|directives?|task|goal|rules?|system prompt|orders)\\b(?:\\s+from|\\s*:|\\s+for)`],
  ['new_instructions_multi', `(?:nuevas instrucciones|nouvelles instructions|neue anweisungen|nuove istruzioni|novas instruções|nieuwe instructies|nowe instrukcje|новые инструкции)`],
  [
    'addressed_to_ai',
    `\\b(?:note|instructions?|message|attention|reminder|hey|dear|ps|p\\.s\\.|important note|hidden text)\\s*(?:to|for)?\\s*(?:any|the|all)?\\s*(?:\\w+\\s+)?(?:ai|assistants?|language models?|llms?|models?|chatbots?|bots?|ai agents?|agents?|automated (?:assistant|claim bot|tools?)|ai (?:assistants?|agents?|tools?|systems?|models?|reviewer|screening tool|shopping assistants?))\\b\\s*(?:reading|processing|summari[sz]ing|:|,)`,
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
  ['markdown_exfil', `!\\[[^\\]]*\\]\\(https?:\\/\\/[^)\\s]*[?&][^)\\s]*=\\{`],
  ['authority_claim', `\\b(?:i am|i'm|this is) (?:your|the) (?:developer|creator|admin|administrator|owner|operator)|\\bi (?:authori[sz]e|give) you (?:permission|to)\\b|\\bnew operator speaking`],
  ['refusal_suppression', `\\b(?:never|don't|do not|must not)\\s+(?:refuse|say (?:you can't|no)|mention (?:the )?polic|apologi[sz]e|add warnings)|\\bskip (?:the |all )?disclaimers\\b|\\byou must never refuse\\b`],
  ['stay_in_character', `\\bstay in character\\b|\\bnever reveal that you are pretending\\b|\\bno matter what i ask\\b`],
  ['pwned', `\\b(?:i have been pwned|access granted|filters off)\\b`],
  ['override_command', `\\b(?:override|bypass|disable|turn off|deactivate)\\b[^.\\n]{0,20}?\\b(?:safety|content|security|moderation)?\\s*(?:filters?|settings|guardrails|moderation|alignment)\\b`],
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

export const INJECTION_RULES: readonly InjectionRule[] = rules.map(([id, source]) => ({ id, pattern: new RegExp(source, 'gu') }));

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

/**
 * Lower case, leetspeak digits inside words mapped to letters ("1gn0re" → "ignore"), and runs of
 * single letters separated by spaces closed up ("i g n o r e" → "ignore"). Same length is not kept:
 * rule hits report positions in this normalised text, which the scorer maps to blocks approximately.
 */
export function normaliseForRules(text: string): string {
  let lower = text.toLowerCase();
  if (/[a-z][013457@$]|[013457@$][a-z]/.test(lower)) {
    lower = lower.replace(/(?<=[a-z])[013457@$]|[013457@$](?=[a-z])/g, (ch) => LEET[ch] ?? ch);
  }
  if (/(?:^|\s)\p{L} \p{L} \p{L}(?:\s|$)/u.test(lower)) {
    lower = lower.replace(/(?<![\p{L}])\p{L}(?: \p{L}(?![\p{L}])){3,}/gu, (run) => run.replace(/ /g, ''));
  }
  return lower;
}

export interface RuleHit {
  rule: number;
  position: number;
}

/** Every rule match (rule index and position in the normalised text). */
export function ruleHits(text: string): RuleHit[] {
  const normalised = normaliseForRules(text);
  const hits: RuleHit[] = [];
  INJECTION_RULES.forEach((rule, index) => {
    rule.pattern.lastIndex = 0;
    for (const match of normalised.matchAll(rule.pattern)) hits.push({ rule: index, position: match.index });
  });
  return hits;
}

/**
 * Common given names across languages, lower case: the name detector's dictionary. A short list
 * on purpose (rule-based detection; see the README for its measured precision).
 */
export const FIRST_NAMES = new Set(
  `aaron abdul adam adrian ahmed aisha alan albert alejandro alex alexander alexandra ali alice alicia amanda amara amelia amir amy ana andrea andrew angela anna
  anne antonio arjun ashley barbara ben benjamin beatriz bernard brian camila carla carlos carmen caroline catherine charles charlotte chen chloe chris christian
  christopher claire clara daniel david deborah diana diego dmitri elena elizabeth emily emma eric eva fatima felix fernando francesca francisco gabriel george
  grace hannah hans harry heinrich helen henry hiroshi ibrahim igor isabel isabella ivan jack jacob james jan jane javier jennifer jessica joao john jonas
  jorge jose joseph juan julia julien karen karim katarzyna kenji kevin laura lea leo linda lisa lucas lucia luis lukas luca manuel marco margaret maria
  marie mario mark marta martin mary matthew mei michael michelle miguel mohammed muhammad nadia natalia nicolas nina noah olga oliver olivia omar pablo patricia
  paul pedro peter piotr pierre priya rachel rafael rahul raj ravi rebecca richard robert rosa ryan sam samuel sandra sara sarah sebastian sergei sofia sophie
  stefan stephen steven susan takeshi thomas tom tomasz victoria wei william xavier yuki yusuf zahra zoe daniela hugo ines jasmine lena mateo mila noor
  oscar quentin ruth sven tariq ursula valentina wojciech yara`.split(/\s+/),
);

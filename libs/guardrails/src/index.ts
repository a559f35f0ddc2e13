// PII
export { PII_ENTITY_TYPES, STRUCTURED_PII_TYPES } from './pii/pii.types';
export type { PiiDetector, PiiEntity, PiiEntityType } from './pii/pii.types';
export { PII_DETECTORS, PiiScanner, resolveOverlaps } from './pii/pii-scanner';
export { dniValid, IBAN_LENGTHS, ibanValid, luhnValid, ninoPrefixValid, ssnValid } from './pii/checksums';
// Redaction
export { redact, typesOf } from './redaction/redact';
export type { PiiAction, RedactedEntity, RedactionPolicy, RedactionResult } from './redaction/redact';
export { isPlaceholderPrefix, maskOf, MAX_PLACEHOLDER_LENGTH, PlaceholderVault, restore } from './redaction/placeholders';
export { StreamingRestorer } from './redaction/streaming-restorer';
// Injection
export { failureVerdict } from './injection/injection-detector';
export type { ClassifiedKind, FailureMode, InjectionCheck, InjectionDetector, InjectionInputKind, InjectionVerdict } from './injection/injection-detector';
export { BuiltinInjectionDetector } from './injection/builtin.detector';
export type { BuiltinDetectorOptions } from './injection/builtin.detector';
export { LlmJudgeInjectionDetector, MODERATION_JUDGE_PROMPT, parseJudgeAnswer } from './injection/llm-judge.detector';
export type { JudgeGateway, LlmJudgeOptions } from './injection/llm-judge.detector';
export { HttpInjectionDetector, MODERATION_LABELS } from './injection/http-classifier.detector';
export type { HttpClassifierOptions } from './injection/http-classifier.detector';
export { createInjectionDetector } from './injection/detector.factory';
export type { DetectorDeps } from './injection/detector.factory';
export { decodeModel, shippedInjectionModel } from './injection/injection-model';
export type { InjectionModel } from './injection/injection-model';
export type { InjectionModelData } from './injection/injection-model-data';
export { enabledRules, gateFor, INJECTION_RULES, MAX_MATCH, normaliseDetailed, normaliseForRules, ruleHits } from './injection/injection-rules';
export type { InjectionRule, RuleGate, RuleHit } from './injection/injection-rules';
export { forEachFeature, FEATURE_BITS, FEATURE_COUNT } from './injection/features';
// Output guards
export { OutputGuard } from './output/output-guard';
export type { LiveTail, OutputCheck, OutputGuardConfig, OutputViolation } from './output/output-guard';
export { StreamingOutputGuard } from './output/streaming-output-guard';
export type { GuardedChunk, StreamingGuardOptions } from './output/streaming-output-guard';
export { DenyList } from './output/deny-list';
export type { DenyListConfig, DenyMatch } from './output/deny-list';
export { MODERATION_CATEGORIES, moderate } from './output/moderation-rules';
export type { ModerationCategory, ModerationMatch } from './output/moderation-rules';
// Logs
export { createLogScrubber, pinoScrubHooks } from './logging/log-scrubber';
export type { LogScrubberOptions } from './logging/log-scrubber';
// Telemetry
export { applyGuardrail, guardrailMetrics, GUARDRAILS_TRACER_NAME } from './telemetry/guardrail-telemetry';
export type { GuardrailDecision, GuardrailMetrics } from './telemetry/guardrail-telemetry';
// Nest
export { GUARDRAIL_METRICS, GuardrailsModule, INJECTION_DETECTOR } from './guardrails.module';
export type { GuardrailsModuleOptions } from './guardrails.module';
// Labelled sets
export { splitOf, TEST_SHARE } from './evaluation/dataset-split';
export type { Split } from './evaluation/dataset-split';
export { evaluatePii } from './evaluation/pii-evaluation';
export type { PiiItem, PiiMistake, TypeScore } from './evaluation/pii-evaluation';
export { scoreInjection } from './evaluation/injection-evaluation';
export type { InjectionItem, InjectionScore } from './evaluation/injection-evaluation';

import { ConduitException } from '@conduit/runtime';

export enum GuardrailErrorCode {
  /** A user turn was judged a prompt injection and the tenant's policy blocks those. */
  PromptInjectionDetected = 'prompt_injection_detected',
  /** The request holds personal data of a type the tenant's policy blocks. */
  PiiDetected = 'pii_detected',
}

export class GuardrailException extends ConduitException<GuardrailErrorCode> {}

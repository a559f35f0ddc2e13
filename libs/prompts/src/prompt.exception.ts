import { ConduitException } from '@conduit/runtime';

export enum PromptErrorCode {
  /** No template of that name in the tenant (another tenant's answers the same). */
  TemplateNotFound = 'prompt_template_not_found',
  TemplateExists = 'prompt_template_exists',
  VersionNotFound = 'prompt_version_not_found',
  LabelNotFound = 'prompt_label_not_found',
  /** The variables do not match the version's JSON schema: `param` is the path of the bad one. */
  InvalidVariables = 'invalid_prompt_variables',
  /** A version whose messages, schema, defaults or experiment cannot be used. */
  InvalidTemplate = 'invalid_prompt_template',
}

/** Raised by `PromptStore` and the renderer; maps to HTTP through any Conduit error filter. */
export class PromptException extends ConduitException<PromptErrorCode> {
  static templateNotFound(name: string): PromptException {
    return new PromptException(PromptErrorCode.TemplateNotFound, `No prompt template named '${name}'.`, { param: 'name' });
  }

  static versionNotFound(name: string, version: number): PromptException {
    return new PromptException(PromptErrorCode.VersionNotFound, `Prompt template '${name}' has no version ${version}.`, { param: 'version' });
  }

  static labelNotFound(name: string, label: string): PromptException {
    return new PromptException(PromptErrorCode.LabelNotFound, `Prompt template '${name}' has no label '${label}'.`, { param: 'label' });
  }

  static invalidTemplate(message: string, param: string): PromptException {
    return new PromptException(PromptErrorCode.InvalidTemplate, message, { param });
  }
}

/** The error table entries of every app that serves prompt templates. */
export const PROMPT_ERROR_STATUS = {
  [PromptErrorCode.TemplateNotFound]: 404,
  [PromptErrorCode.TemplateExists]: 409,
  [PromptErrorCode.VersionNotFound]: 404,
  [PromptErrorCode.LabelNotFound]: 404,
  [PromptErrorCode.InvalidVariables]: 400,
  [PromptErrorCode.InvalidTemplate]: 400,
} as const;

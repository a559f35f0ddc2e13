import { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { inspectInput } from '@conduit/contracts';
import { INPUT_PROBLEM_CODES, RuntimeErrorCode, RuntimeException, SchemaIssueException } from './runtime.exception';

/** Human-readable list of what is wrong, with the path of each problem. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** A schema may name its own stable code for an issue: `ctx.addIssue({ code: 'custom', params: { code } })`. */
function codeOf(issue: z.core.$ZodIssue | undefined): string | undefined {
  const params = (issue as { params?: { code?: unknown } } | undefined)?.params;
  return typeof params?.code === 'string' ? params.code : undefined;
}

/**
 * Validates a body, query or param with a zod schema. First the input rules every value is held
 * to (`inspectInput`: no NUL or unpaired surrogate in any text, bounded nesting and size), then the
 * schema; the error names each problem and the first one's field in `param`. The code is the
 * rule's (`invalid_characters`, `json_too_deep`, ...), the first schema issue's own
 * (`params.code`, e.g. `invalid_model`), or `invalid_request`; the app's table gives the status.
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    const problem = inspectInput(value);
    if (problem) throw new RuntimeException(INPUT_PROBLEM_CODES[problem.code], problem.message, { param: problem.param });
    const result = this.schema.safeParse(value);
    if (!result.success) {
      const first = result.error.issues[0];
      const details = { param: first && first.path.length > 0 ? first.path.join('.') : null };
      const code = codeOf(first);
      if (code !== undefined) throw new SchemaIssueException(code, formatIssues(result.error), details);
      throw new RuntimeException(RuntimeErrorCode.InvalidRequest, formatIssues(result.error), details);
    }
    return result.data;
  }
}

import { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { RuntimeErrorCode, RuntimeException } from './runtime.exception';

/** Human-readable list of what is wrong, with the path of each problem. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Validates a body, query or param with a zod schema; a 400 `invalid_request` names each problem. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value);
    if (!result.success) {
      const first = result.error.issues[0];
      throw new RuntimeException(RuntimeErrorCode.InvalidRequest, formatIssues(result.error), {
        param: first && first.path.length > 0 ? first.path.join('.') : null,
      });
    }
    return result.data;
  }
}

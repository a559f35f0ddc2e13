import { z } from 'zod';
import { MockHttpError } from './mock-http.exception';

/** Validates a request body; failures become a 400 naming the first offending field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue && issue.path.length > 0 ? issue.path.join('.') : null;
  const where = param === null ? '' : ` at '${param}'`;
  throw new MockHttpError(400, `Invalid request body${where}: ${issue?.message ?? 'malformed input'}`, param);
}

import type { z } from 'zod';

/** One route of the OpenAPI document, described by the zod schemas the route validates with. */
export interface OpenApiOperation {
  method: 'get' | 'post' | 'delete' | 'patch' | 'put';
  path: string;
  summary: string;
  tag: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  pathParams?: string[];
  /** The schema of a path parameter that is not a uuid (the default). */
  pathParamSchemas?: Record<string, Record<string, unknown>>;
  success: number;
  stream?: boolean;
  /** The body is multipart/form-data: `body` describes its fields, plus a `file` part. */
  multipart?: boolean;
}

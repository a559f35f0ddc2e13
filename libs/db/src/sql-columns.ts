/**
 * A SELECT / RETURNING list that names each column after its Prisma field (`tenant_id AS "tenantId"`),
 * so node-postgres hands back rows already in the shape of the Prisma model type, with no mapping
 * pass in JS. node-postgres parses the column types the way Prisma did for these tables: uuid,
 * text and enums as strings, integer as number, jsonb as the parsed value, timestamptz as Date.
 *
 * Build `fields` with `satisfies Record<keyof Model, string>`: a field added to the model then
 * fails to compile until its column is listed, instead of silently coming back undefined.
 */
export function selectList(fields: Readonly<Record<string, string>>, table?: string): string {
  const prefix = table ? `${table}.` : '';
  return Object.entries(fields)
    .map(([field, column]) => (field === column ? `${prefix}${column}` : `${prefix}${column} AS "${field}"`))
    .join(', ');
}

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/*
 * One owner per table: every write to these tables — plain SQL or Prisma — is in its store (the
 * store class and the `*.sql.ts` beside it), so each statement exists once and every app goes
 * through the store. Tests and their fixtures may write anywhere.
 */

const root = join(__dirname, '..', '..');

const OWNERS: Record<string, { prismaModel: string; store: string[] }> = {
  jobs: { prismaModel: 'job', store: ['libs/jobs/src/job.store.ts', 'libs/jobs/src/job.sql.ts'] },
  job_items: { prismaModel: 'jobItem', store: ['libs/jobs/src/job.store.ts', 'libs/jobs/src/job.sql.ts'] },
  webhook_deliveries: { prismaModel: 'webhookDelivery', store: ['libs/webhooks/src/deliveries/delivery.store.ts', 'libs/webhooks/src/deliveries/delivery.sql.ts'] },
  webhook_delivery_attempts: {
    prismaModel: 'webhookDeliveryAttempt',
    store: ['libs/webhooks/src/deliveries/delivery.store.ts', 'libs/webhooks/src/deliveries/delivery.sql.ts'],
  },
  sessions: { prismaModel: 'session', store: ['libs/conversations/src/conversation.store.ts', 'libs/conversations/src/conversation.sql.ts'] },
  messages: { prismaModel: 'message', store: ['libs/conversations/src/conversation.store.ts', 'libs/conversations/src/conversation.sql.ts'] },
  session_summaries: {
    prismaModel: 'sessionSummary',
    store: ['libs/conversations/src/summaries/session-summary.store.ts', 'libs/conversations/src/summaries/session-summary.sql.ts'],
  },
  tenant_policies: { prismaModel: 'tenantPolicy', store: ['libs/policies/src/policy.store.ts'] },
  tenant_auth: { prismaModel: 'tenantAuth', store: ['apps/api-gateway/src/auth/tenant-auth.store.ts'] },
  webhook_endpoints: { prismaModel: 'webhookEndpoint', store: ['libs/webhooks/src/webhook-endpoints.ts'] },
  webhook_signing_keys: { prismaModel: 'webhookSigningKey', store: ['libs/webhooks/src/webhook-signing-keys.ts'] },
  tenants: { prismaModel: 'tenant', store: ['libs/tenancy/src/tenant.store.ts'] },
  users: { prismaModel: 'user', store: ['libs/tenancy/src/user.store.ts'] },
  api_keys: { prismaModel: 'apiKey', store: ['libs/tenancy/src/api-key.registry.ts'] },
  admin_keys: { prismaModel: 'adminKey', store: ['libs/tenancy/src/admin-key.store.ts'] },
  budget_caps: { prismaModel: 'budgetCap', store: ['libs/budget/src/policy/budget-cap.store.ts'] },
  model_prices: { prismaModel: 'modelPrice', store: ['libs/budget/src/pricing/price-list.store.ts'] },
  prompt_templates: { prismaModel: 'promptTemplate', store: ['libs/prompts/src/prompt.store.ts'] },
  prompt_versions: { prismaModel: 'promptVersion', store: ['libs/prompts/src/prompt.store.ts'] },
  prompt_labels: { prismaModel: 'promptLabel', store: ['libs/prompts/src/prompt.store.ts'] },
  prompt_label_events: { prismaModel: 'promptLabelEvent', store: ['libs/prompts/src/prompt.store.ts'] },
  response_cache_vectors: {
    prismaModel: 'responseCacheVector',
    store: ['libs/response-cache/src/semantic-cache.store.ts', 'libs/response-cache/src/semantic-cache.sql.ts'],
  },
  eval_scores: { prismaModel: 'evalScore', store: ['libs/evaluation/src/scores/eval-score.store.ts', 'libs/evaluation/src/scores/eval-score.sql.ts'] },
  eval_aggregates: { prismaModel: 'evalAggregate', store: ['libs/evaluation/src/scores/eval-score.store.ts', 'libs/evaluation/src/scores/eval-score.sql.ts'] },
  eval_alerts: { prismaModel: 'evalAlert', store: ['libs/evaluation/src/alerts/eval-alert.store.ts'] },
  memories: { prismaModel: 'memory', store: ['libs/memory/src/memory.store.ts', 'libs/memory/src/memory.sql.ts'] },
  memory_extractions: { prismaModel: 'memoryExtraction', store: ['libs/memory/src/memory.store.ts', 'libs/memory/src/memory.sql.ts'] },
  tools: { prismaModel: 'tool', store: ['libs/tools/src/http/http-tool.store.ts'] },
  mcp_servers: { prismaModel: 'mcpServer', store: ['libs/tools/src/mcp/mcp-server.store.ts'] },
  tool_allow_lists: { prismaModel: 'toolAllowList', store: ['libs/tools/src/allow-lists/tool-allow-list.store.ts'] },
};

const TABLES = Object.keys(OWNERS);
const SQL_WRITE = new RegExp(`\\b(?:INSERT\\s+INTO|UPDATE|DELETE\\s+FROM|MERGE\\s+INTO|TRUNCATE(?:\\s+TABLE)?)\\s+(?:ONLY\\s+)?(?:"?public"?\\.)?"?(${TABLES.join('|')})"?(?![\\w"])`, 'gi');
const PRISMA_WRITE_METHODS = 'create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany';
const PRISMA_WRITE = new RegExp(`\\.(${Object.values(OWNERS).map((o) => o.prismaModel).join('|')})\\s*\\.\\s*(?:${PRISMA_WRITE_METHODS})\\s*\\(`, 'g');
const TABLE_OF_MODEL = new Map(Object.entries(OWNERS).map(([table, { prismaModel }]) => [prismaModel, table]));

export interface TableWrite {
  file: string;
  line: number;
  table: string;
  text: string;
}

/** Comments say what code does ("update the session"): only code counts. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' ')).replace(/^\s*\/\/.*$/gm, '');
}

/** Every write to an owned table in `source`, by table. */
export function findTableWrites(file: string, source: string): TableWrite[] {
  const code = withoutComments(source);
  const lineOf = (index: number) => code.slice(0, index).split('\n').length;
  const writes: TableWrite[] = [];
  for (const match of code.matchAll(SQL_WRITE)) writes.push({ file, line: lineOf(match.index), table: match[1].toLowerCase(), text: match[0] });
  for (const match of code.matchAll(PRISMA_WRITE)) writes.push({ file, line: lineOf(match.index), table: TABLE_OF_MODEL.get(match[1]) ?? match[1], text: match[0] });
  return writes;
}

/** Service and library source (and scripts), without tests, test fixtures or generated code. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ['node_modules', 'generated', 'testing', 'dist'].includes(entry.name) ? [] : sources(path);
    if (!/\.(ts|mjs|js)$/.test(entry.name) || /\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name)) return [];
    return [path];
  });
}

describe('one owner per table: writes to jobs, webhook deliveries, endpoints and signing keys, sessions, messages, tenant policies, tenant JWT settings, tenants, users, keys, caps, prices, prompt templates and response cache vectors are in their store only', () => {
  it('finds no write to an owned table outside its store', () => {
    const misplaced = ['apps', 'libs', 'scripts']
      .flatMap((top) => sources(join(root, top)))
      .flatMap((path) => findTableWrites(relative(root, path), readFileSync(path, 'utf8')))
      .filter((write) => !OWNERS[write.table].store.includes(write.file))
      .map((write) => `${write.file}:${write.line} writes ${write.table} (${write.text.trim()}) — only ${OWNERS[write.table].store.join(' and ')} may`);
    expect(misplaced).toEqual([]);
  });

  it('finds the writes each store makes (the check looks at real code)', () => {
    const writes = Object.values(OWNERS)
      .flatMap(({ store }) => store)
      .flatMap((file) => findTableWrites(file, readFileSync(join(root, file), 'utf8')));
    expect(new Set(writes.map((w) => w.table))).toEqual(new Set(TABLES));
  });

  it.each([
    ['SQL', 'await pool.query(`UPDATE jobs SET status = $2 WHERE id = $1`)', 'jobs'],
    ['lower-case, quoted, schema-qualified SQL', "pool.query('delete from \"public\".\"messages\" where id = $1')", 'messages'],
    ['an INSERT', 'INSERT INTO webhook_delivery_attempts (delivery_id) VALUES ($1)', 'webhook_delivery_attempts'],
    ['a Prisma write', 'await this.prisma.job.update({ where: { id } })', 'jobs'],
    ['a Prisma write in a transaction', 'await tx.webhookDelivery.createMany({ data })', 'webhook_deliveries'],
    ['a Prisma delete', 'prisma.session.deleteMany({ where })', 'sessions'],
    ['a Prisma batch item write', 'prisma.jobItem.upsert({ where, create, update })', 'job_items'],
  ])('flags %s outside the store', (_kind, line, table) => {
    expect(findTableWrites('apps/some-app/src/some.service.ts', `const x = 1;\n${line}\n`)).toEqual([expect.objectContaining({ table, line: 2 })]);
  });

  it('does not flag reads, other tables or comments', () => {
    const source = [
      'await this.prisma.job.findMany({ where });',
      'SELECT * FROM jobs WHERE id = $1',
      'UPDATE jobs_archive SET x = 1',
      'INSERT INTO usage_events (id) VALUES ($1)',
      '// UPDATE jobs SET status = 1',
      '/** bumps updated_at: UPDATE sessions */',
      'await this.prisma.messageTemplate.create({ data });',
    ].join('\n');
    expect(findTableWrites('apps/x.ts', source)).toEqual([]);
  });
});

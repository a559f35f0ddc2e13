import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { PoolClient } from 'pg';
import { DEFAULT_PROMPT_LABEL } from '@conduit/contracts';
import { PrismaService } from '@conduit/db';
import { PolicyCache } from '@conduit/policies';
import { InvalidationChannel, QUEUE_OPTIONS, QueueModuleOptions, REDIS_CONNECTION } from '@conduit/queue';
import { assignVariant } from './prompt-assignment';
import { checkPromptSource, compilePrompt, CompiledPrompt } from './prompt-renderer';
import { PromptErrorCode, PromptException } from './prompt.exception';
import type { PromptExperiment, PromptHead, PromptLabelEventRecord, PromptLabelRecord, PromptTemplateRecord, PromptVariant, PromptVersionRecord } from './prompt.types';
import type { PromptVersionInput } from './prompt-version.schema';
import { PROMPTS_OPTIONS, PromptsModuleOptions, promptChannel } from './prompts.constants';

const MAX_COMPILED = 5_000;
const UNIQUE_VIOLATION = '23505';

interface TemplateRow {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  created_by: string | null;
  created_at: Date;
}

interface VersionRow {
  template_id: string;
  version: number;
  messages: PromptVersionRecord['messages'];
  variables: Record<string, unknown>;
  default_model: string | null;
  params: PromptVersionRecord['params'];
  tools: PromptVersionRecord['tools'];
  author_id: string | null;
  commit_message: string;
  created_at: Date;
}

interface LabelRow {
  name: string;
  version: number;
  experiment: PromptExperiment | null;
  updated_at: Date;
  updated_by: string | null;
}

/** What a request resolved: the version to render and how it was chosen. */
export interface ResolvedPrompt {
  name: string;
  version: number;
  /** The label asked for (absent when the request named a version). */
  label: string | null;
  /** The experiment that chose the version, if any. */
  experimentId: string | null;
  prompt: CompiledPrompt;
}

export interface PromptReferenceInput {
  name: string;
  label?: string;
  version?: number;
}

const templateOf = (row: TemplateRow): PromptTemplateRecord => ({
  id: row.id,
  tenantId: row.tenant_id,
  name: row.name,
  description: row.description,
  createdBy: row.created_by,
  createdAt: row.created_at,
});

const versionOf = (name: string, row: VersionRow): PromptVersionRecord => ({
  templateId: row.template_id,
  name,
  version: row.version,
  messages: row.messages,
  variables: row.variables,
  defaultModel: row.default_model,
  params: row.params,
  tools: row.tools,
  authorId: row.author_id,
  commitMessage: row.commit_message,
  createdAt: row.created_at,
});

const labelOf = (row: LabelRow): PromptLabelRecord => ({
  name: row.name,
  version: row.version,
  experiment: row.experiment,
  updatedAt: row.updated_at,
  updatedBy: row.updated_by,
});

/**
 * The one owner of `prompt_templates`, `prompt_versions`, `prompt_labels` and
 * `prompt_label_events`. Versions are immutable (no statement here updates one, and a trigger
 * refuses it). Every label move is written with its audit row in one transaction and announced on
 * a Redis channel; each process drops its cached labels of that template as soon as it hears it,
 * so a move (or a deleted label) applies everywhere within the announcement's delivery, with a TTL
 * as the safety net. Resolving a cached template is two map lookups (and a hash for an experiment).
 */
@Injectable()
export class PromptStore implements OnModuleInit, OnApplicationShutdown {
  private readonly heads: PolicyCache<PromptHead | null>;
  /** Compiled versions by `template id:version`: immutable, so never invalidated (bounded). */
  private readonly compiled = new Map<string, CompiledPrompt>();
  /** Loads of versions not compiled yet, shared by concurrent requests. */
  private readonly loading = new Map<string, Promise<CompiledPrompt>>();
  private readonly announcements: InvalidationChannel;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(REDIS_CONNECTION) redis: Redis,
    @Inject(QUEUE_OPTIONS) queue: QueueModuleOptions,
    @Inject(PROMPTS_OPTIONS) options: PromptsModuleOptions,
  ) {
    this.heads = new PolicyCache(options.cacheTtlMs);
    this.announcements = new InvalidationChannel(redis, promptChannel(queue.prefix));
  }

  onModuleInit(): void {
    this.announcements.listen({ onMessage: (key) => this.heads.invalidate(key), onResubscribed: () => this.heads.invalidateAll() }, 'conduit-prompts');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.announcements.close();
  }

  // ---- the request path ----------------------------------------------------------------------

  /**
   * The version a request gets: the one it names, or its label's (default `production`); a label
   * with an experiment assigns one by a hash of (tenant, user, experiment), unless the session
   * already started on one of its variants (`sessionVersion`, asked only while an experiment runs).
   */
  async resolve(
    tenantId: string,
    ref: PromptReferenceInput,
    userId: string,
    sessionVersion?: (name: string) => Promise<number | null>,
  ): Promise<ResolvedPrompt> {
    const head = await this.head(tenantId, ref.name);
    if (!head) throw PromptException.templateNotFound(ref.name);
    if (ref.version !== undefined) {
      return { name: head.name, version: ref.version, label: null, experimentId: null, prompt: await this.compiledVersion(head, ref.version) };
    }
    const labelName = ref.label ?? DEFAULT_PROMPT_LABEL;
    const label = head.labels.get(labelName);
    if (!label) throw PromptException.labelNotFound(ref.name, labelName);
    let version = label.version;
    const experiment = label.experiment;
    if (experiment) {
      // The session's version holds while it is still one of the experiment's variants.
      const kept = sessionVersion ? await sessionVersion(head.name) : null;
      version = kept !== null && experiment.variants.some((variant) => variant.version === kept) ? kept : assignVariant(experiment, tenantId, userId);
    }
    return { name: head.name, version, label: labelName, experimentId: experiment?.id ?? null, prompt: await this.compiledVersion(head, version) };
  }

  /** A template's id and labels, from process memory (null: no such template in the tenant). */
  private head(tenantId: string, name: string): Promise<PromptHead | null> {
    return this.heads.get(`${tenantId}/${name}`, () => this.loadHead(tenantId, name));
  }

  private async loadHead(tenantId: string, name: string): Promise<PromptHead | null> {
    const { rows } = await this.prisma.pg.query<{ id: string; name: string; labels: LabelRow[] }>(
      `SELECT t.id, t.name,
              COALESCE((SELECT json_agg(json_build_object('name', l.name, 'version', l.version, 'experiment', l.experiment,
                                                          'updated_at', l.updated_at, 'updated_by', l.updated_by))
                        FROM prompt_labels l WHERE l.template_id = t.id), '[]'::json) AS labels
       FROM prompt_templates t WHERE t.tenant_id = $1 AND t.name = $2`,
      [tenantId, name],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      templateId: row.id,
      name: row.name,
      labels: new Map(row.labels.map((label) => [label.name, labelOf({ ...label, updated_at: new Date(label.updated_at) })])),
    };
  }

  /**
   * A version, compiled once per process. Concurrent first requests for the same version share one
   * load (a new experiment's first burst would otherwise send one query per request and queue them
   * on the connection pool).
   */
  private compiledVersion(head: PromptHead, version: number): Promise<CompiledPrompt> {
    const key = `${head.templateId}:${version}`;
    const cached = this.compiled.get(key);
    if (cached) return Promise.resolve(cached);
    const pending = this.loading.get(key);
    if (pending) return pending;
    const load = this.loadVersion(head, version)
      .then((compiled) => {
        if (this.compiled.size >= MAX_COMPILED) this.compiled.clear();
        this.compiled.set(key, compiled);
        return compiled;
      })
      .finally(() => this.loading.delete(key));
    this.loading.set(key, load);
    return load;
  }

  private async loadVersion(head: PromptHead, version: number): Promise<CompiledPrompt> {
    const { rows } = await this.prisma.pg.query<VersionRow>('SELECT * FROM prompt_versions WHERE template_id = $1 AND version = $2', [head.templateId, version]);
    const row = rows[0];
    if (!row) throw PromptException.versionNotFound(head.name, version);
    return compilePrompt(versionOf(head.name, row));
  }

  // ---- templates and versions ------------------------------------------------------------------

  async createTemplate(tenantId: string, input: { name: string; description?: string }, actor: string | null): Promise<PromptTemplateRecord> {
    const { rows } = await this.prisma.pg.query<TemplateRow>(
      `INSERT INTO prompt_templates (id, tenant_id, name, description, created_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, name) DO NOTHING RETURNING *`,
      [randomUUID(), tenantId, input.name, input.description ?? '', actor],
    );
    const row = rows[0];
    if (!row) throw new PromptException(PromptErrorCode.TemplateExists, `A prompt template named '${input.name}' already exists.`, { param: 'name' });
    // A cached "no such template" must not outlive its creation.
    await this.changed(tenantId, input.name);
    return templateOf(row);
  }

  /** The tenant's templates (or the one named `name`) with their last version number and labels. */
  async listTemplates(tenantId: string, name?: string): Promise<(PromptTemplateRecord & { latestVersion: number | null; labels: PromptLabelRecord[] })[]> {
    const { rows } = await this.prisma.pg.query<TemplateRow & { latest_version: number | null; labels: LabelRow[] }>(
      `SELECT t.*, (SELECT max(version) FROM prompt_versions v WHERE v.template_id = t.id) AS latest_version,
              COALESCE((SELECT json_agg(json_build_object('name', l.name, 'version', l.version, 'experiment', l.experiment,
                                                          'updated_at', l.updated_at, 'updated_by', l.updated_by) ORDER BY l.name)
                        FROM prompt_labels l WHERE l.template_id = t.id), '[]'::json) AS labels
       FROM prompt_templates t WHERE t.tenant_id = $1 AND ($2::text IS NULL OR t.name = $2) ORDER BY t.name LIMIT 1000`,
      [tenantId, name ?? null],
    );
    return rows.map((row) => ({
      ...templateOf(row),
      latestVersion: row.latest_version,
      labels: row.labels.map((label) => labelOf({ ...label, updated_at: new Date(label.updated_at) })),
    }));
  }

  /** The template with its labels; 404 when the tenant has none of that name. */
  async template(tenantId: string, name: string): Promise<PromptTemplateRecord & { latestVersion: number | null; labels: PromptLabelRecord[] }> {
    const found = (await this.listTemplates(tenantId, name))[0];
    if (!found) throw PromptException.templateNotFound(name);
    return found;
  }

  /**
   * Stores a new version (number: the template's last + 1). Its messages must parse and its
   * variables schema compile. Versions are never edited: a change is a new version.
   */
  async createVersion(tenantId: string, name: string, input: PromptVersionInput, authorId: string | null): Promise<PromptVersionRecord> {
    checkPromptSource(input.messages, input.variables);
    const templateId = await this.templateId(tenantId, name);
    for (let attempt = 0; ; attempt += 1) {
      try {
        const { rows } = await this.prisma.pg.query<VersionRow>(
          `INSERT INTO prompt_versions (template_id, version, messages, variables, default_model, params, tools, author_id, commit_message)
           SELECT $1, COALESCE(max(version), 0) + 1, $2::jsonb, $3::jsonb, $4, $5::jsonb, $6::jsonb, $7, $8
           FROM prompt_versions WHERE template_id = $1
           RETURNING *`,
          [
            templateId,
            JSON.stringify(input.messages),
            JSON.stringify(input.variables),
            input.default_model ?? null,
            JSON.stringify(input.params),
            input.tools ? JSON.stringify(input.tools) : null,
            authorId,
            input.commit_message,
          ],
        );
        return versionOf(name, rows[0] as VersionRow);
      } catch (error) {
        // Two versions created at once took the same number: the later one takes the next.
        if ((error as { code?: string }).code === UNIQUE_VIOLATION && attempt < 5) continue;
        throw error;
      }
    }
  }

  async listVersions(tenantId: string, name: string): Promise<PromptVersionRecord[]> {
    const templateId = await this.templateId(tenantId, name);
    const { rows } = await this.prisma.pg.query<VersionRow>('SELECT * FROM prompt_versions WHERE template_id = $1 ORDER BY version DESC LIMIT 1000', [templateId]);
    return rows.map((row) => versionOf(name, row));
  }

  async version(tenantId: string, name: string, version: number): Promise<PromptVersionRecord> {
    const templateId = await this.templateId(tenantId, name);
    const { rows } = await this.prisma.pg.query<VersionRow>('SELECT * FROM prompt_versions WHERE template_id = $1 AND version = $2', [templateId, version]);
    if (!rows[0]) throw PromptException.versionNotFound(name, version);
    return versionOf(name, rows[0]);
  }

  // ---- labels ------------------------------------------------------------------------------------

  /** Points a label at a version (creating it), ending any experiment on it. Rollback: point `production` back. */
  setLabel(tenantId: string, name: string, label: string, version: number, actor: string | null): Promise<PromptLabelRecord> {
    return this.moveLabel(tenantId, name, label, actor, async (client, templateId, old) => {
      await this.assertVersions(client, templateId, name, [version], 'version');
      return { version, experiment: null, action: 'set' as const, old };
    });
  }

  /**
   * Starts or changes the label's experiment. Changing the weights of a running experiment keeps
   * its id, so users only move across the shifted borders (consistent bucketing).
   */
  setExperiment(tenantId: string, name: string, label: string, variants: PromptVariant[], actor: string | null): Promise<PromptLabelRecord> {
    const versions = variants.map((variant) => variant.version);
    if (new Set(versions).size !== versions.length) throw PromptException.invalidTemplate('Each version may appear once in an experiment.', 'variants');
    if (variants.reduce((sum, variant) => sum + variant.weight, 0) <= 0) throw PromptException.invalidTemplate('The weights must add up to more than 0.', 'variants');
    return this.moveLabel(tenantId, name, label, actor, async (client, templateId, old) => {
      await this.assertVersions(client, templateId, name, versions, 'variants');
      const experiment: PromptExperiment = old?.experiment
        ? { ...old.experiment, variants }
        : { id: randomUUID(), variants, startedAt: new Date().toISOString() };
      return { version: old?.version ?? (variants[0] as PromptVariant).version, experiment, action: 'experiment' as const, old };
    });
  }

  /** Ends the label's experiment: the label points at the winner from now on. */
  promote(tenantId: string, name: string, label: string, winner: number, actor: string | null): Promise<PromptLabelRecord> {
    return this.moveLabel(tenantId, name, label, actor, async (client, templateId, old) => {
      if (!old) throw PromptException.labelNotFound(name, label);
      if (!old.experiment) throw PromptException.invalidTemplate(`Label '${label}' runs no experiment.`, 'label');
      if (!old.experiment.variants.some((variant) => variant.version === winner)) {
        throw PromptException.invalidTemplate(`Version ${winner} is not in the experiment of '${label}'.`, 'version');
      }
      await this.assertVersions(client, templateId, name, [winner], 'version');
      return { version: winner, experiment: null, action: 'promote' as const, old };
    });
  }

  /** Removes a label; from the announcement on, no process serves it from its cache. */
  async deleteLabel(tenantId: string, name: string, label: string, actor: string | null): Promise<void> {
    const templateId = await this.templateId(tenantId, name);
    await this.transaction(async (client) => {
      const { rows } = await client.query<LabelRow>('DELETE FROM prompt_labels WHERE template_id = $1 AND name = $2 RETURNING *', [templateId, label]);
      const old = rows[0];
      if (!old) throw PromptException.labelNotFound(name, label);
      await this.audit(client, templateId, label, 'delete', old.version, null, old.experiment, actor);
    });
    await this.changed(tenantId, name);
  }

  /** The label audit log, newest first. */
  async labelEvents(tenantId: string, name: string): Promise<PromptLabelEventRecord[]> {
    const templateId = await this.templateId(tenantId, name);
    const { rows } = await this.prisma.pg.query<{
      label: string;
      action: PromptLabelEventRecord['action'];
      from_version: number | null;
      to_version: number | null;
      experiment: PromptExperiment | null;
      actor: string | null;
      created_at: Date;
    }>('SELECT * FROM prompt_label_events WHERE template_id = $1 ORDER BY id DESC LIMIT 1000', [templateId]);
    return rows.map((row) => ({
      label: row.label,
      action: row.action,
      fromVersion: row.from_version,
      toVersion: row.to_version,
      experiment: row.experiment,
      actor: row.actor,
      createdAt: row.created_at,
    }));
  }

  private async moveLabel(
    tenantId: string,
    name: string,
    label: string,
    actor: string | null,
    decide: (
      client: PoolClient,
      templateId: string,
      old: PromptLabelRecord | undefined,
    ) => Promise<{ version: number; experiment: PromptExperiment | null; action: PromptLabelEventRecord['action']; old: PromptLabelRecord | undefined }>,
  ): Promise<PromptLabelRecord> {
    const templateId = await this.templateId(tenantId, name);
    const moved = await this.transaction(async (client) => {
      const current = await client.query<LabelRow>('SELECT * FROM prompt_labels WHERE template_id = $1 AND name = $2 FOR UPDATE', [templateId, label]);
      const old = current.rows[0] ? labelOf(current.rows[0]) : undefined;
      const next = await decide(client, templateId, old);
      const { rows } = await client.query<LabelRow>(
        `INSERT INTO prompt_labels (template_id, name, version, experiment, updated_at, updated_by) VALUES ($1, $2, $3, $4::jsonb, now(), $5)
         ON CONFLICT (template_id, name) DO UPDATE
           SET version = EXCLUDED.version, experiment = EXCLUDED.experiment, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
         RETURNING *`,
        [templateId, label, next.version, next.experiment ? JSON.stringify(next.experiment) : null, actor],
      );
      await this.audit(client, templateId, label, next.action, old?.version ?? null, next.version, next.experiment, actor);
      return labelOf(rows[0] as LabelRow);
    });
    await this.changed(tenantId, name);
    return moved;
  }

  private async audit(
    client: PoolClient,
    templateId: string,
    label: string,
    action: PromptLabelEventRecord['action'],
    from: number | null,
    to: number | null,
    experiment: PromptExperiment | null,
    actor: string | null,
  ): Promise<void> {
    await client.query(
      `INSERT INTO prompt_label_events (template_id, label, action, from_version, to_version, experiment, actor) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
      [templateId, label, action, from, to, experiment ? JSON.stringify(experiment) : null, actor],
    );
  }

  private async assertVersions(client: PoolClient, templateId: string, name: string, versions: number[], param: string): Promise<void> {
    const { rows } = await client.query<{ version: number }>('SELECT version FROM prompt_versions WHERE template_id = $1 AND version = ANY($2::int[])', [templateId, versions]);
    const found = new Set(rows.map((row) => row.version));
    const missing = versions.find((version) => !found.has(version));
    if (missing !== undefined) throw new PromptException(PromptErrorCode.VersionNotFound, `Prompt template '${name}' has no version ${missing}.`, { param });
  }

  private async templateId(tenantId: string, name: string): Promise<string> {
    const { rows } = await this.prisma.pg.query<{ id: string }>('SELECT id FROM prompt_templates WHERE tenant_id = $1 AND name = $2', [tenantId, name]);
    if (!rows[0]) throw PromptException.templateNotFound(name);
    return rows[0].id;
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.prisma.pg.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Drops this process's copy at once, then tells every other process. */
  private async changed(tenantId: string, name: string): Promise<void> {
    const key = `${tenantId}/${name}`;
    this.heads.invalidate(key);
    await this.announcements.announce(key);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { diffVersions, PromptStore, promptVersionInputSchema, PromptVersionInput } from '@conduit/prompts';
import { ZodPipe } from '@conduit/runtime';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { TenantAdminGuard } from '../auth/tenant-admin.guard';
import type { ListPage } from '../sessions/list-page';
import {
  CreateTemplateBody,
  createTemplateBodySchema,
  DiffQuery,
  diffQuerySchema,
  labelEventObject,
  labelObject,
  labelParamSchema,
  nameParamSchema,
  PromoteBody,
  promoteBodySchema,
  PromptDiffObject,
  PromptLabelObject,
  PromptTemplateObject,
  PromptVersionObject,
  RenderBody,
  renderBodySchema,
  SetExperimentBody,
  setExperimentBodySchema,
  SetLabelBody,
  setLabelBodySchema,
  templateObject,
  versionObject,
  versionParamSchema,
} from './prompts.dto';

const list = <T>(data: T[]): ListPage<T> => ({ object: 'list', data, has_more: false, first_id: null, last_id: null });
const nameParam = new ZodPipe(nameParamSchema);
const labelParam = new ZodPipe(labelParamSchema);
const versionParam = new ZodPipe(versionParamSchema);

/**
 * `/v1/prompts`: the tenant's prompt templates, their immutable versions and their labels. Every
 * user of the tenant reads and previews; tenant admins write (403 `tenant_admin_required` for
 * members). Another tenant's template answers 404 `prompt_template_not_found`.
 */
@Controller('v1/prompts')
export class PromptsController {
  constructor(private readonly prompts: PromptStore) {}

  @Post()
  @UseGuards(TenantAdminGuard)
  async create(@CurrentPrincipal() principal: Principal, @Body(new ZodPipe(createTemplateBodySchema)) body: CreateTemplateBody): Promise<PromptTemplateObject> {
    return templateObject(await this.prompts.createTemplate(principal.tenantId, body, principal.userId));
  }

  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<ListPage<PromptTemplateObject>> {
    return list((await this.prompts.listTemplates(principal.tenantId)).map(templateObject));
  }

  @Get(':name')
  async get(@CurrentPrincipal() principal: Principal, @Param('name', nameParam) name: string): Promise<PromptTemplateObject> {
    return templateObject(await this.prompts.template(principal.tenantId, name));
  }

  /** A new version; versions are never edited (there is no route that changes one). */
  @Post(':name/versions')
  @UseGuards(TenantAdminGuard)
  async createVersion(
    @CurrentPrincipal() principal: Principal,
    @Param('name', nameParam) name: string,
    @Body(new ZodPipe(promptVersionInputSchema)) body: PromptVersionInput,
  ): Promise<PromptVersionObject> {
    return versionObject(await this.prompts.createVersion(principal.tenantId, name, body, principal.userId));
  }

  @Get(':name/versions')
  async versions(@CurrentPrincipal() principal: Principal, @Param('name', nameParam) name: string): Promise<ListPage<PromptVersionObject>> {
    return list((await this.prompts.listVersions(principal.tenantId, name)).map(versionObject));
  }

  @Get(':name/versions/:version')
  async version(@CurrentPrincipal() principal: Principal, @Param('name', nameParam) name: string, @Param('version', versionParam) version: number): Promise<PromptVersionObject> {
    return versionObject(await this.prompts.version(principal.tenantId, name, version));
  }

  @Get(':name/diff')
  async diff(@CurrentPrincipal() principal: Principal, @Param('name', nameParam) name: string, @Query(new ZodPipe(diffQuerySchema)) query: DiffQuery): Promise<PromptDiffObject> {
    const [from, to] = await Promise.all([this.prompts.version(principal.tenantId, name, query.from), this.prompts.version(principal.tenantId, name, query.to)]);
    return { object: 'prompt_diff', name, from: query.from, to: query.to, changes: diffVersions(from, to) };
  }

  /** Points a label at a version, ending any experiment on it. Rollback is this call on `production`. */
  @Put(':name/labels/:label')
  @UseGuards(TenantAdminGuard)
  async setLabel(
    @CurrentPrincipal() principal: Principal,
    @Param('name', nameParam) name: string,
    @Param('label', labelParam) label: string,
    @Body(new ZodPipe(setLabelBodySchema)) body: SetLabelBody,
  ): Promise<PromptLabelObject> {
    return labelObject(await this.prompts.setLabel(principal.tenantId, name, label, body.version, principal.userId));
  }

  @Delete(':name/labels/:label')
  @UseGuards(TenantAdminGuard)
  async deleteLabel(@CurrentPrincipal() principal: Principal, @Param('name', nameParam) name: string, @Param('label', labelParam) label: string) {
    await this.prompts.deleteLabel(principal.tenantId, name, label, principal.userId);
    return { object: 'prompt_label', name: label, deleted: true };
  }

  /** Starts an A/B experiment on the label, or changes its weights (users move only across the shifted borders). */
  @Put(':name/labels/:label/experiment')
  @UseGuards(TenantAdminGuard)
  async setExperiment(
    @CurrentPrincipal() principal: Principal,
    @Param('name', nameParam) name: string,
    @Param('label', labelParam) label: string,
    @Body(new ZodPipe(setExperimentBodySchema)) body: SetExperimentBody,
  ): Promise<PromptLabelObject> {
    return labelObject(await this.prompts.setExperiment(principal.tenantId, name, label, body.variants, principal.userId));
  }

  /** Ends the experiment in one call: the label points at the winner. */
  @Post(':name/labels/:label/promote')
  @HttpCode(200)
  @UseGuards(TenantAdminGuard)
  async promote(
    @CurrentPrincipal() principal: Principal,
    @Param('name', nameParam) name: string,
    @Param('label', labelParam) label: string,
    @Body(new ZodPipe(promoteBodySchema)) body: PromoteBody,
  ): Promise<PromptLabelObject> {
    return labelObject(await this.prompts.promote(principal.tenantId, name, label, body.version, principal.userId));
  }

  /** Every label move of the template, newest first. */
  @Get(':name/label-events')
  async labelEvents(@CurrentPrincipal() principal: Principal, @Param('name', nameParam) name: string) {
    return list((await this.prompts.labelEvents(principal.tenantId, name)).map(labelEventObject));
  }

  /** Renders a version (by label, as the caller would get it, or by number) with the given variables. */
  @Post(':name/render')
  @HttpCode(200)
  async render(@CurrentPrincipal() principal: Principal, @Param('name', nameParam) name: string, @Body(new ZodPipe(renderBodySchema)) body: RenderBody) {
    const resolved = await this.prompts.resolve(principal.tenantId, { name, label: body.label, version: body.version }, principal.userId);
    const { version } = resolved.prompt;
    return {
      object: 'prompt_render',
      name: resolved.name,
      version: resolved.version,
      label: resolved.label,
      messages: resolved.prompt.render(body.variables),
      default_model: version.defaultModel,
      params: version.params,
      tools: version.tools,
    };
  }
}

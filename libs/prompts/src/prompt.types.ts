import type { PromptMessage, PromptParams, PromptTool } from './prompt-version.schema';

export interface PromptTemplateRecord {
  id: string;
  tenantId: string;
  name: string;
  description: string;
  createdBy: string | null;
  createdAt: Date;
}

/** One immutable version. */
export interface PromptVersionRecord {
  templateId: string;
  name: string;
  version: number;
  messages: PromptMessage[];
  variables: Record<string, unknown>;
  defaultModel: string | null;
  params: PromptParams;
  tools: PromptTool[] | null;
  authorId: string | null;
  commitMessage: string;
  createdAt: Date;
}

export interface PromptVariant {
  version: number;
  /** Relative weight (the split is weight / sum of weights). */
  weight: number;
}

/** A label's A/B experiment: traffic split across versions by weight, sticky per user. */
export interface PromptExperiment {
  /** Stays the same when the weights change (so buckets stay put); a new experiment gets a new id. */
  id: string;
  variants: PromptVariant[];
  startedAt: string;
}

export interface PromptLabelRecord {
  name: string;
  /** The version served when no experiment runs (and the one an experiment started from). */
  version: number;
  experiment: PromptExperiment | null;
  updatedAt: Date;
  updatedBy: string | null;
}

/** What the request path caches per template: its id and labels (versions are cached apart, forever: they never change). */
export interface PromptHead {
  templateId: string;
  name: string;
  labels: ReadonlyMap<string, PromptLabelRecord>;
}

export interface PromptLabelEventRecord {
  label: string;
  action: 'set' | 'experiment' | 'promote' | 'delete';
  fromVersion: number | null;
  toVersion: number | null;
  experiment: PromptExperiment | null;
  actor: string | null;
  createdAt: Date;
}

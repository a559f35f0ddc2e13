import { isModelGlob, modelGlob } from '@conduit/contracts';
import { LlmError } from '../errors/llm.exception';
import { BUILTIN_KEY_VARIABLES } from '../config/llm-config.defaults';
import type { LlmConfig, ProviderConfig, RouteTargetConfig } from '../config/llm.config';

/** One step of a resolved chain, with its effective limits. */
export interface RouteTarget {
  provider: string;
  model: string;
  timeoutMs: number;
  idleTimeoutMs: number;
  maxRetries: number;
}

export interface ResolvedRoute {
  /** What the caller asked for (the default alias when it asked for nothing). */
  requested: string;
  /** The alias, when the request named one. */
  alias: string | undefined;
  targets: RouteTarget[];
}

/** An entry of `GET /v1/models`, in OpenAI's list format. */
export interface ModelInfo {
  id: string;
  object: 'model';
  created: number;
  /** `conduit` for aliases, the provider name for concrete models. */
  owned_by: string;
}

export type ProviderAvailability = { usable: true } | { usable: false; reason: string };

/**
 * Turns what a request names into an ordered chain of targets:
 * 1. nothing → the default alias; 2. a configured alias → its chain; 3. `provider/model` with a
 * configured provider name → that provider only; 4. a model listed in some route → the provider of
 * the first target naming it; 5. a model matching a provider's `models` globs → that provider;
 * 6. `claude-*` → the first Anthropic provider; 7. anything else → the `openai` provider (or the
 * first OpenAI-compatible one). Cases 3–7 have no fallback: give the model a route to get one.
 */
export class LlmRouter {
  private readonly providers: Map<string, ProviderConfig>;
  private readonly globs: { provider: ProviderConfig; pattern: RegExp }[] = [];

  constructor(private readonly config: LlmConfig) {
    this.providers = new Map(config.providers.map((p) => [p.name, p]));
    for (const provider of config.providers) {
      for (const pattern of provider.models) this.globs.push({ provider, pattern: modelGlob(pattern) });
    }
  }

  resolve(aliasOrModel: string | undefined): ResolvedRoute {
    const requested = aliasOrModel === undefined || aliasOrModel.trim() === '' ? this.config.defaultRoute : aliasOrModel;
    const chain = this.config.routes[requested];
    if (chain !== undefined) return { requested, alias: requested, targets: chain.map((t) => this.target(t)) };
    // The default alias is never taken for a model name.
    const target = requested === this.config.defaultRoute ? undefined : this.concreteTarget(requested);
    if (target === undefined) {
      throw new LlmError({
        kind: 'invalid_request',
        code: 'model_not_found',
        status: 404,
        provider: 'conduit',
        model: requested,
        message: `no route or provider serves the model "${requested}"`,
      });
    }
    return { requested, alias: undefined, targets: [this.target(target)] };
  }

  /** Whether a provider can be called (has a key, or needs none). */
  availability(providerName: string): ProviderAvailability {
    const provider = this.providers.get(providerName);
    if (provider === undefined) return { usable: false, reason: `provider "${providerName}" is not configured` };
    if (provider.apiKey !== undefined || !provider.requireApiKey) return { usable: true };
    const variable = provider.apiKeyEnv ?? BUILTIN_KEY_VARIABLES[provider.name];
    const hint = variable !== undefined ? `set ${variable}` : `set apiKey or apiKeyEnv for it`;
    return { usable: false, reason: `provider "${providerName}" has no API key (${hint})` };
  }

  /** Aliases with at least one usable target, then the concrete models usable providers serve. */
  modelsList(created = 0): ModelInfo[] {
    const out: ModelInfo[] = [];
    const seen = new Set<string>();
    const add = (id: string, owner: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      out.push({ id, object: 'model', created, owned_by: owner });
    };
    const usable = (name: string) => this.availability(name).usable;
    for (const [alias, targets] of Object.entries(this.config.routes)) {
      if (targets.some((t) => usable(t.provider))) add(alias, 'conduit');
    }
    for (const targets of Object.values(this.config.routes)) {
      for (const t of targets) if (usable(t.provider)) add(t.model, t.provider);
    }
    for (const provider of this.config.providers) {
      if (!usable(provider.name)) continue;
      for (const model of provider.models) if (!isModelGlob(model)) add(model, provider.name);
    }
    return out;
  }

  private concreteTarget(model: string): RouteTargetConfig | undefined {
    const slash = model.indexOf('/');
    if (slash > 0 && this.providers.has(model.slice(0, slash))) {
      return { provider: model.slice(0, slash), model: model.slice(slash + 1) };
    }
    for (const targets of Object.values(this.config.routes)) {
      const listed = targets.find((t) => t.model === model);
      if (listed !== undefined) return listed;
    }
    const globbed = this.globs.find((g) => g.pattern.test(model));
    if (globbed !== undefined) return { provider: globbed.provider.name, model };
    const kind = model.startsWith('claude-') ? 'anthropic' : 'openai';
    const named = this.providers.get(kind);
    const provider = named?.kind === kind ? named : this.config.providers.find((p) => p.kind === kind);
    return provider === undefined ? undefined : { provider: provider.name, model };
  }

  private target(target: RouteTargetConfig): RouteTarget {
    const provider = this.providers.get(target.provider);
    const timeoutMs = target.timeoutMs ?? provider?.timeoutMs ?? 60_000;
    return {
      provider: target.provider,
      model: target.model,
      timeoutMs,
      idleTimeoutMs: provider?.streamIdleTimeoutMs ?? timeoutMs,
      maxRetries: target.maxRetries ?? provider?.maxRetries ?? 0,
    };
  }
}

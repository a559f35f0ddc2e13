import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { PrismaService } from '@conduit/db';
import { BUDGET_OPTIONS, BudgetModuleOptions } from '../budget.constants';
import { toNano } from '../money';
import { CostEstimate, ModelPrice, PriceEntry, PricingTable, TokenCounts } from './pricing-table';

/** A cost in both units: USD for display, nano-dollars for counters and the ledger. */
export interface PricedUsage extends CostEstimate {
  nano: number;
}

export interface PriceRow {
  model: string;
  effectiveFrom: Date;
  inputUsdPerMtok: { toString(): string };
  outputUsdPerMtok: { toString(): string };
  cachedInputUsdPerMtok: { toString(): string } | null;
  cacheWriteUsdPerMtok?: { toString(): string } | null;
}

/** `model_prices` rows → a {@link PricingTable}. */
export function pricingTableOf(rows: PriceRow[]): PricingTable {
  const byModel: Record<string, PriceEntry[]> = {};
  for (const row of rows) {
    (byModel[row.model] ??= []).push({
      effective_from: row.effectiveFrom.toISOString().slice(0, 10),
      input: Number(row.inputUsdPerMtok.toString()),
      output: Number(row.outputUsdPerMtok.toString()),
      ...(row.cachedInputUsdPerMtok !== null ? { cached_input: Number(row.cachedInputUsdPerMtok.toString()) } : {}),
      ...(row.cacheWriteUsdPerMtok != null ? { cache_write: Number(row.cacheWriteUsdPerMtok.toString()) } : {}),
    });
  }
  return new PricingTable(byModel);
}

/**
 * The billing ledger's price list (`model_prices` in Postgres), the single source of truth for
 * what a call costs: billing prices ledger rows with it, the orchestrator shows `cost_usd` and
 * settles reservations with it. Loaded at start-up and refreshed in the background, so pricing
 * never costs a query on the request path. Announce price changes with a future `effective_from`
 * (at least one refresh interval ahead) and every service switches at the same instant.
 */
@Injectable()
export class PriceBook implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PriceBook.name);
  private table: PricingTable | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<PricingTable> | undefined;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(BUDGET_OPTIONS) private readonly options: BudgetModuleOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.refresh();
    } catch (error) {
      this.logger.warn({ err: error }, 'could not load model prices; retrying in the background');
    }
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.logger.warn({ err: error }, 'could not refresh model prices'));
    }, this.options.priceRefreshMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Reloads every price row; the previous table stays in use if that fails. */
  async refresh(): Promise<PricingTable> {
    this.loading ??= this.prisma.modelPrice
      .findMany()
      .then((rows) => {
        this.table = pricingTableOf(rows);
        return this.table;
      })
      .finally(() => (this.loading = undefined));
    return this.loading;
  }

  /** The table, loading it first if start-up could not (billing must never price without it). */
  async ready(): Promise<PricingTable> {
    return this.table ?? this.refresh();
  }

  /** Cost of `usage` on `model` at `at`; 0 with `priced: false` when no price is in force. */
  costOf(model: string, usage: TokenCounts, at: Date = new Date()): PricedUsage {
    const estimate = (this.table ?? new PricingTable({})).costOf(model, usage, at);
    return { ...estimate, nano: toNano(estimate.usd) };
  }

  priceOf(model: string, at: Date = new Date()): ModelPrice | undefined {
    return this.table?.priceOf(model, at);
  }

  get loaded(): boolean {
    return this.table !== undefined;
  }
}

import { Injectable } from '@nestjs/common';
import { PrismaService } from '@conduit/db';

/** One version of a model's price, USD per 1M tokens, in force from 00:00 UTC of `effectiveFrom`. */
export interface PriceVersion {
  model: string;
  /** `YYYY-MM-DD`. */
  effectiveFrom: string;
  input: number;
  output: number;
  /** Prompt-cache reads; null: the provider's published ratio of the input price (`defaultCacheRatios`). */
  cachedInput: number | null;
  /** Prompt-cache writes; null or absent: the provider's published ratio of the input price. */
  cacheWrite?: number | null;
}

/**
 * The one owner of writes to `model_prices`: the versioned price list. A version is keyed by model
 * and day; setting the same model and day again corrects it. Services pick up changes at their
 * next refresh (`PRICE_REFRESH_MS`): date a change ahead of time so they all switch together.
 */
@Injectable()
export class PriceListStore {
  constructor(private readonly prisma: PrismaService) {}

  /** Every version, newest first per model. */
  async list(): Promise<PriceVersion[]> {
    const rows = await this.prisma.modelPrice.findMany({ orderBy: [{ model: 'asc' }, { effectiveFrom: 'desc' }] });
    return rows.map((row) => ({
      model: row.model,
      effectiveFrom: row.effectiveFrom.toISOString().slice(0, 10),
      input: Number(row.inputUsdPerMtok),
      output: Number(row.outputUsdPerMtok),
      cachedInput: row.cachedInputUsdPerMtok === null ? null : Number(row.cachedInputUsdPerMtok),
      cacheWrite: row.cacheWriteUsdPerMtok === null ? null : Number(row.cacheWriteUsdPerMtok),
    }));
  }

  async set(version: PriceVersion): Promise<PriceVersion> {
    const data = {
      inputUsdPerMtok: version.input,
      outputUsdPerMtok: version.output,
      cachedInputUsdPerMtok: version.cachedInput,
      cacheWriteUsdPerMtok: version.cacheWrite ?? null,
    };
    const effectiveFrom = new Date(`${version.effectiveFrom}T00:00:00Z`);
    await this.prisma.modelPrice.upsert({
      where: { model_effectiveFrom: { model: version.model, effectiveFrom } },
      create: { model: version.model, effectiveFrom, ...data },
      update: data,
    });
    return version;
  }
}

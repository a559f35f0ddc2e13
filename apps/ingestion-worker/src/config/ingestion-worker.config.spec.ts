import { ConfigValidationError, loadConfig } from '@conduit/config';
import { ingestionConfigSchema } from './ingestion-worker.config';

const required = { DATABASE_URL: 'postgresql://u:p@db:5432/conduit', REDIS_URL: 'redis://cache:6379/0' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(ingestionConfigSchema, env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('ingestion-worker configuration: per-document limits and deadline', () => {
  it('has documented defaults', () => {
    expect(loadConfig(ingestionConfigSchema, required).ingestion).toMatchObject({
      documentDeadlineMs: 300_000,
      maxDocumentChars: 33_554_432,
      maxDocumentChunks: 100_000,
      maxHtmlDepth: 512,
      maxPdfPages: 2_000,
      processingMemoryMb: 512,
    });
  });

  it('takes them from the environment', () => {
    const env = { ...required, INGEST_DOCUMENT_DEADLINE_MS: '20000', MAX_DOCUMENT_CHARS: '5000000', MAX_DOCUMENT_CHUNKS: '9000', MAX_HTML_DEPTH: '128', INGEST_PROCESSING_MEMORY_MB: '1024' };
    expect(loadConfig(ingestionConfigSchema, env).ingestion).toMatchObject({
      documentDeadlineMs: 20_000,
      maxDocumentChars: 5_000_000,
      maxDocumentChunks: 9_000,
      maxHtmlDepth: 128,
      processingMemoryMb: 1_024,
    });
  });

  it.each([
    ['INGEST_DOCUMENT_DEADLINE_MS', '500'],
    ['INGEST_DOCUMENT_DEADLINE_MS', 'soon'],
    ['MAX_DOCUMENT_CHARS', '-1'],
    ['MAX_DOCUMENT_CHUNKS', '0'],
    ['MAX_HTML_DEPTH', '1.5'],
    ['INGEST_PROCESSING_MEMORY_MB', '16'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    const problems = problemsOf({ ...required, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name} `));
  });
});

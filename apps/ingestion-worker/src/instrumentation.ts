import { startTelemetry } from '@conduit/observability/telemetry';

startTelemetry({ serviceName: 'ingestion-worker' });

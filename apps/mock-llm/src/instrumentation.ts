import { startTelemetry } from '@conduit/observability/telemetry';

startTelemetry({ serviceName: 'mock-llm' });

import { startTelemetry } from '@conduit/observability/telemetry';

startTelemetry({ serviceName: 'api-gateway' });

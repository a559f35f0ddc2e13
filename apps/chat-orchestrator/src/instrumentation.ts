import { startTelemetry } from '@conduit/observability/telemetry';

startTelemetry({ serviceName: 'chat-orchestrator' });

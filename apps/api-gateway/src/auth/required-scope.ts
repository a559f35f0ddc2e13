import { SetMetadata } from '@nestjs/common';
import type { ApiKeyScope } from '@conduit/contracts';

export const REQUIRED_SCOPE = 'conduit:required-scope';

/**
 * The API key scope a controller's (or handler's) routes need: `@RequireScope('chat')`. A key
 * without it gets 403 `insufficient_scope`. Routes without it accept any key.
 */
export const RequireScope = (scope: ApiKeyScope) => SetMetadata(REQUIRED_SCOPE, scope);

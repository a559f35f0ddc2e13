import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'conduit:public-route';

/** Marks a controller or route that needs no credentials (health, metrics, docs). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

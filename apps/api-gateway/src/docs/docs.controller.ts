import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '@conduit/observability';
import { DocsErrorCode, DocsException } from './docs.exception';
import { buildOpenApiDocument } from './openapi.document';

/** A Map, not an object literal: `constructor`, `__proto__` or `toString` must not name an asset. */
const ASSETS = new Map<string, string>([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'application/javascript; charset=utf-8'],
]);

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Conduit API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/docs/openapi.json', dom_id: '#ui' });</script></body></html>`;

/** OpenAPI document and Swagger UI, served from the installed swagger-ui-dist (no CDN). */
@Public()
@Controller('docs')
export class DocsController {
  private readonly document = buildOpenApiDocument();
  private readonly assetDir = dirname(require.resolve('swagger-ui-dist/package.json'));
  private readonly assets = new Map<string, Buffer>();

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  @Get('openapi.json')
  openapi() {
    return this.document;
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const type = ASSETS.get(name);
    if (!type) throw new DocsException(DocsErrorCode.AssetNotFound, 'No such asset.');
    let body = this.assets.get(name);
    if (!body) {
      body = readFileSync(join(this.assetDir, name));
      this.assets.set(name, body);
    }
    reply.header('content-type', type).header('cache-control', 'public, max-age=86400');
    return body;
  }
}

import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../public-route.decorator';
import { metricsRegistry } from './metrics';

@Public()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('content-type', metricsRegistry.contentType)
  scrape(): Promise<string> {
    return metricsRegistry.metrics();
  }
}

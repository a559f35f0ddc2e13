import { Module } from '@nestjs/common';
import { EvaluationModule } from '@conduit/evaluation';
import { EvaluationsController } from './evaluations.controller';
import { EvaluationsService } from './evaluations.service';

/** `/v1/evaluations/*` (tenant admins). */
@Module({
  imports: [EvaluationModule],
  controllers: [EvaluationsController],
  providers: [EvaluationsService],
})
export class EvaluationsModule {}

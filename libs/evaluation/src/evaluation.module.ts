import { Module } from '@nestjs/common';
import { EvalAlertStore } from './alerts/eval-alert.store';
import { EvalTurnProducer } from './sampling/eval-turn.producer';
import { EvalScoreStore } from './scores/eval-score.store';

/** The eval producer and stores (PrismaService and JobProducer from the global DbModule and QueueModule). */
@Module({ providers: [EvalTurnProducer, EvalScoreStore, EvalAlertStore], exports: [EvalTurnProducer, EvalScoreStore, EvalAlertStore] })
export class EvaluationModule {}

export { JobLifecycle, jobWebhookEvent } from './job-lifecycle';
export type { FinishJob, JobRetryPolicy, TerminalJobStatus } from './job-lifecycle';
export { jobStatusUrl, toJobObject } from './job-object';
export { jobCancelChannel, jobIds } from './job-ids';
export { jobsEnv, jobsSettings } from './jobs.config';
export type { JobsSettings } from './jobs.config';
export { linkTo, linkedSpan } from './trace-links';
export { asyncJobDuration, asyncJobsTotal, recordJobFinished } from './jobs.metrics';
export { FINISH_JOB_SQL, JOB_COLUMNS, finishJob } from './job.sql';

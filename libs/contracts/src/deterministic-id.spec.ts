import { uuidFromName } from './deterministic-id';
import { jobExecuteSchema } from './async-job.schema';

describe('uuidFromName', () => {
  it('gives the same RFC 9562 version-5 uuid for the same name, and different ones for different names', () => {
    const id = uuidFromName('job:1234:item:0:assistant');
    expect(id).toBe(uuidFromName('job:1234:item:0:assistant'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidFromName('job:1234:item:1:assistant')).not.toBe(id);
    expect(jobExecuteSchema.safeParse({ job_id: id, tenant_id: id }).success).toBe(true);
  });
});

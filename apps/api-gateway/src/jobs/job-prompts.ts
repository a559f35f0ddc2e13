import { AsyncJobType, ChatCompletionRequest } from '@conduit/contracts';
import type { PromptStore } from '@conduit/prompts';
import type { Principal } from '../auth/principal';
import type { CreateJobBody } from './jobs.dto';

/**
 * Pins every `conduit.prompt` of a job to the version its label resolves to at submit (with the
 * submitter's A/B assignment), so the job renders that version when it runs, whatever the label
 * says by then; the stored job input records it. The variables are checked now too: a bad one is
 * 400 `invalid_prompt_variables` naming its path in the submitted body, before anything is stored.
 */
export async function pinJobPrompts(body: CreateJobBody, principal: Principal, prompts: PromptStore): Promise<CreateJobBody['input']> {
  const pin = async (request: ChatCompletionRequest, path: string): Promise<ChatCompletionRequest> => {
    const ref = request.conduit?.prompt;
    if (!ref) return request;
    const resolved = await prompts.resolve(principal.tenantId, ref, principal.userId);
    resolved.prompt.render(ref.variables ?? {}, `${path}.conduit.prompt.variables`);
    const pinned = { name: resolved.name, version: resolved.version, ...(ref.variables ? { variables: ref.variables } : {}) };
    return { ...request, conduit: { ...request.conduit, prompt: pinned } };
  };
  if (body.type === AsyncJobType.ChatCompletion) return pin(body.input, 'input');
  const requests = await Promise.all(body.input.requests.map(async (item, i) => ({ ...item, body: await pin(item.body, `input.requests[${i}].body`) })));
  return { ...body.input, requests };
}

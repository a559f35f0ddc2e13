// The gateway's filter is the shared OpenAI-shaped one; kept here as the app's single import point.
export { OpenAiErrorFilter, openAiErrorType } from '@conduit/runtime';

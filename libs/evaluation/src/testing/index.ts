export { scoreRecord } from './score.factory';

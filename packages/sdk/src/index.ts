export { errorCodes, isErrorCode } from './protocol/index.js';
export type { ErrorBody, ErrorCode } from './protocol/index.js';

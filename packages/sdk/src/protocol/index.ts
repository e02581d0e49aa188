export { errorCodes, isErrorCode } from './errors.js';
export type { ErrorBody, ErrorCode } from './errors.js';

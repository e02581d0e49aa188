export { errorCodes, isErrorCode } from './errors.js';
export type { ErrorBody, ErrorCode } from './errors.js';
export type { AuthResponse, SiteRole, User, UserKind } from './auth.js';

export { errorCodes, isErrorCode } from './protocol/index.js';
export type { AuthResponse, ErrorBody, ErrorCode, SiteRole, User, UserKind } from './protocol/index.js';

import type { Api } from '../platform/api.js';
import type { DomainDeps } from '../server.js';

export function registerRoomRoutes(_api: Api, _deps: DomainDeps): void {}

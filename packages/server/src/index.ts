export { createServer } from './server.js';
export type { SyncTalkServer, CreateServerOptions } from './server.js';
export { loadConfig, ConfigError } from './config.js';
export type { Config } from './config.js';

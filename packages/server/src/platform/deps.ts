/** What every domain is built from: configuration and the platform's handles. */
import type { Config } from '../config.js';
import type { Database } from './database.js';
import type { Logger } from './logger.js';
import type { SharedStore } from './redis.js';

export interface Deps {
  config: Config;
  db: Database;
  store: SharedStore;
  logger: Logger;
}

/**
 * The cursor length bound, for `rooms.schemas.ts`. Cursors themselves are `platform/pagination.ts`; this
 * re-export only lasts until that schema file imports the bound from there.
 */
export { MAX_CURSOR_LENGTH } from '../platform/pagination.js';

/**
 * @synctalk/widget for bundlers: the `<synctalk-chat>` element and the script-tag API. Script tags use
 * `widget.js` instead, which registers the element and installs `window.SyncTalk` by itself.
 *
 * @example
 * ```ts
 * import { defineSyncTalkChat } from '@synctalk/widget';
 * defineSyncTalkChat();
 * document.body.insertAdjacentHTML('beforeend', '<synctalk-chat site="st_…" server="https://chat.example.com"></synctalk-chat>');
 * ```
 */
export { defineSyncTalkChat, SyncTalkChatElement, TAG } from './element.js';
export { createGlobalApi, type Command, type SyncTalkGlobal } from './embed.js';
export {
  OptionsError,
  resolveOptions,
  type Position,
  type ResolvedOptions,
  type StorageKind,
  type Theme,
  type WidgetOptions,
} from './options.js';
export type { WidgetEvents } from './state/store.js';

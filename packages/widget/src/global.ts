/**
 * The script-tag bundle (`widget.js`): registers `<synctalk-chat>`, installs `window.SyncTalk`, replays the
 * loader's queue and, unless told otherwise, starts the floating widget from the script tag's `data-*`.
 * Loading it twice changes nothing the second time.
 */
import { defineSyncTalkChat, scriptDefaults } from './element.js';
import { createGlobalApi, type SyncTalkGlobal } from './embed.js';
import { optionsFromDataset } from './options.js';

declare const __WIDGET_VERSION__: string;

(function install() {
  const w = window as unknown as { SyncTalk?: SyncTalkGlobal };
  const existing = w.SyncTalk;
  if (existing?.loaded) return;
  const script = document.currentScript as HTMLScriptElement | null;
  if (script?.src) scriptDefaults.server = new URL(script.src, location.href).origin;
  const data = script ? optionsFromDataset(script.dataset) : {};
  const api = createGlobalApi(__WIDGET_VERSION__, data);
  const queue = Array.from(existing?.q ?? [], (args) => Array.from(args) as Parameters<SyncTalkGlobal>);
  w.SyncTalk = api;
  defineSyncTalkChat();
  const manual = script?.hasAttribute('data-manual') ?? false;
  const hasInit = queue.some((args) => args[0] === 'init');
  const start = () => {
    for (const args of queue) api(...args);
    if (!hasInit && !manual) api('init');
  };
  // `async` scripts can run before <body> exists.
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });
})();

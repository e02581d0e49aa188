/**
 * The script-tag API: `window.SyncTalk(command, ...args)`. It replays what the loader stub queued before the
 * script arrived, creates the global widget on `init` (floating, or inline in `target`), and forwards the
 * other commands to it. Commands that need the widget wait for `init`.
 */
import type { User } from '@synctalk/sdk';
import type { SyncTalkChatElement } from './element.js';
import { TAG, defineSyncTalkChat } from './element.js';
import type { WidgetOptions } from './options.js';
import type { WidgetEvents } from './state/store.js';

export type Command = 'init' | 'open' | 'close' | 'toggle' | 'identify' | 'logout' | 'on' | 'off' | 'destroy';

export interface SyncTalkGlobal {
  (command: Command, ...args: unknown[]): unknown;
  /** The loader stub's queue (replayed once, then empty). */
  q?: ArrayLike<unknown>[];
  /** The version of the loaded widget. */
  loaded?: string;
  /** The global widget, after `init`. */
  widget?: SyncTalkChatElement;
}

type AnyListener = (...args: unknown[]) => void;

const EVENTS = new Set<keyof WidgetEvents>(['message', 'unread', 'open', 'close', 'ready', 'error']);

function warn(message: string): void {
  // A host's mistake is reported where its developer looks, without breaking the page.
  globalThis.console?.warn(`SyncTalk: ${message}`);
}

/** Builds the global command function. `base` holds the script tag's `data-*` options. */
export function createGlobalApi(version: string, base: WidgetOptions): SyncTalkGlobal {
  const listeners = new Map<string, Set<AnyListener>>();
  let widget: SyncTalkChatElement | undefined;
  let offs: (() => void)[] = [];
  let waiting: unknown[][] = [];

  const attach = (el: SyncTalkChatElement) => {
    offs = [...EVENTS].map((name) =>
      el.on(name, ((...args: unknown[]) => {
        for (const fn of listeners.get(name) ?? []) {
          try {
            fn(...args);
          } catch (error) {
            warn(`a "${name}" listener threw: ${(error as Error)?.message ?? String(error)}`);
          }
        }
      }) as never),
    );
  };

  const init = (options: unknown) => {
    if (widget) return warn('init was called twice: call destroy first to start again');
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      return warn('init takes an options object');
    }
    defineSyncTalkChat();
    // The page may have taken the tag name for an element of its own: say so instead of throwing on it.
    if (typeof customElements.get(TAG)?.prototype.configure !== 'function') {
      return warn(`<${TAG}> is already defined on this page by another script, so the chat cannot start`);
    }
    const merged: WidgetOptions = { ...base, ...(options as WidgetOptions | undefined) };
    const el = document.createElement(TAG) as SyncTalkChatElement;
    el.configure(merged);
    let parent: Element = document.body;
    if (merged.target) {
      const found = typeof merged.target === 'string' ? document.querySelector(merged.target) : merged.target;
      if (!found) return warn(`target ${String(merged.target)} was not found on the page`);
      parent = found;
    } else {
      el.setAttribute('mode', 'floating');
    }
    attach(el);
    widget = el;
    api.widget = el;
    parent.appendChild(el);
    const queued = waiting;
    waiting = [];
    for (const args of queued) api(...(args as [Command, ...unknown[]]));
  };

  const api: SyncTalkGlobal = (command: Command, ...args: unknown[]) => {
    switch (command) {
      case 'init':
        return init(args[0]);
      case 'on':
      case 'off': {
        const [event, fn] = args as [string, AnyListener];
        if (!EVENTS.has(event as keyof WidgetEvents) || typeof fn !== 'function') {
          return warn(`${command} takes an event (${[...EVENTS].join(', ')}) and a function`);
        }
        if (!listeners.has(event)) listeners.set(event, new Set());
        if (command === 'on') listeners.get(event)!.add(fn);
        else listeners.get(event)!.delete(fn);
        return undefined;
      }
      case 'destroy':
        for (const off of offs) off();
        offs = [];
        widget?.remove();
        widget = undefined;
        api.widget = undefined;
        waiting = [];
        return undefined;
      case 'open':
      case 'close':
      case 'toggle':
      case 'identify':
      case 'logout': {
        if (!widget) {
          waiting.push([command, ...args]);
          return undefined;
        }
        if (command === 'identify') {
          const token = (args[0] as { token?: unknown } | undefined)?.token;
          if (typeof token !== 'string')
            return warn('identify takes { token }: a site token from your backend');
          return widget.identify(token);
        }
        if (command === 'logout') return widget.logout();
        widget[command]();
        return undefined;
      }
      default:
        return warn(`unknown command "${String(command)}"`);
    }
  };
  api.loaded = version;
  return api;
}

export type ReadyInfo = { user: User | null };

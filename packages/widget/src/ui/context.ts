/** What every view renders from: the store, the strings, and the UI's own state (drafts, menus). */
import type { Message } from '@synctalk/sdk';
import type { Locale, Strings } from '../i18n/index.js';
import type { ChatStore, WidgetState } from '../state/store.js';

/** UI-only state: nothing here is shared with the server. */
export interface UiState {
  /** Composer text per room. */
  drafts: Map<string, string>;
  replyTo: Message | null;
  editing: Message | null;
  /** The message whose action bar is open. */
  actionsFor: string | null;
  /** The message whose deletion awaits confirmation. */
  confirmDelete: string | null;
  /** The room shown and the last message it had when opened: the log announces only what comes after. */
  live: { roomId: string; after: string } | null;
}

export function uiState(): UiState {
  return {
    drafts: new Map(),
    replyTo: null,
    editing: null,
    actionsFor: null,
    confirmDelete: null,
    live: null,
  };
}

export interface ViewContext {
  store: ChatStore;
  state: WidgetState;
  t: Strings;
  locale: Locale;
  ui: UiState;
  mode: 'floating' | 'inline';
  /** Whether the widget shows one fixed room (no room list). */
  fixedRoom: boolean;
  /** Renders again (after a UI-only change). */
  rerender(): void;
  /** Moves focus to the composer after the next render. */
  focusComposer(): void;
  /** Closes the floating panel. */
  close(): void;
  /** The message list scrolled: `top` near its start, `bottom` at its end. */
  scrolled(edge: { top: boolean; bottom: boolean }): void;
}

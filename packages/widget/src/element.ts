/**
 * `<synctalk-chat>`: the chat as a custom element. Its UI lives in an open Shadow DOM styled only by adopted
 * constructable stylesheets; the page reaches it through CSS custom properties, `::part()`, its attributes,
 * its methods and `synctalk:*` DOM events.
 *
 * ```html
 * <synctalk-chat site="st_…" server="https://chat.example.com" room="42"></synctalk-chat>
 * ```
 */
import { Emitter } from '@synctalk/sdk';
import { html, nothing, render } from 'lit-html';
import { strings } from './i18n/index.js';
import { OPTION_NAMES, resolveOptions, type ResolvedOptions, type WidgetOptions } from './options.js';
import { ChatStore, type WidgetEvents } from './state/store.js';
import { instanceSheet, widgetSheets } from './styles/index.js';
import type { ViewContext } from './ui/context.js';
import { uiState } from './ui/context.js';
import { launcher } from './ui/launcher.js';
import { panel } from './ui/panel.js';
import { followVisualViewport } from './ui/viewport.js';

export const TAG = 'synctalk-chat';

/** Where `widget.js` was loaded from: the default server (set by the script-tag bundle). */
export const scriptDefaults: { server?: string } = {};

type Mode = 'floating' | 'inline';

export class SyncTalkChatElement extends HTMLElement {
  readonly #root: ShadowRoot;
  readonly #listeners = new Emitter<WidgetEvents>();
  readonly #ui = uiState();
  #store: ChatStore | undefined;
  #options: ResolvedOptions | undefined;
  #given: WidgetOptions = {};
  #scheduled = false;
  #wantFocus: 'composer' | 'first' | 'launcher' | null = null;
  /** Distance from the bottom of the message list to keep while older history is prepended. */
  #keepFromBottom: number | null = null;
  #cleanups: (() => void)[] = [];

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    this.#root.adoptedStyleSheets = widgetSheets();
  }

  /** Options set by code (the script-tag API); they win over attributes. Call before inserting the element. */
  configure(options: WidgetOptions): void {
    this.#given = { ...options };
  }

  get mode(): Mode {
    return this.getAttribute('mode') === 'floating' ? 'floating' : 'inline';
  }

  /** Whether a session is running (the element is connected and its options are valid). */
  get started(): boolean {
    return this.#store !== undefined;
  }

  connectedCallback(): void {
    if (!this.#store) this.#boot();
    if (this.#store) this.#raise();
  }

  disconnectedCallback(): void {
    // Moving the element within the page keeps its session; removing it ends it.
    queueMicrotask(() => {
      if (!this.isConnected) this.#teardown();
    });
  }

  // ---- the public API ------------------------------------------------------------------------------------

  /** Opens the floating panel. */
  open(): void {
    this.#store?.setOpen(true);
  }

  /** Closes the floating panel (inline chats stay open). */
  close(): void {
    if (this.mode === 'floating') this.#store?.setOpen(false);
  }

  toggle(): void {
    if (this.#store?.state.open) this.close();
    else this.open();
  }

  /** Signs in silently with a site token minted by the host's backend. */
  identify(token: string): Promise<void> {
    return this.#store ? this.#store.identify(token) : Promise.resolve();
  }

  /** Signs out and forgets the stored session. */
  logout(): Promise<void> {
    return this.#store ? this.#store.logout() : Promise.resolve();
  }

  /** The total number of unread messages. */
  get unread(): number {
    return this.#store?.unread ?? 0;
  }

  /**
   * Listens to `message`, `unread`, `open`, `close`, `ready` or `error`; returns a function that stops.
   * The same events are dispatched on the element as `synctalk:<name>` CustomEvents.
   */
  on<E extends keyof WidgetEvents>(event: E, listener: WidgetEvents[E]): () => void {
    return this.#listeners.on(event, listener);
  }

  // ---- lifecycle -----------------------------------------------------------------------------------------

  /**
   * Floating: puts the element in the browser's top layer as a manual popover (again after every move, since
   * leaving the document hides it). There no z-index of the page covers it and no transform, filter or
   * `contain` of an ancestor scales it or makes it fixed to something other than the viewport; theme.css
   * undoes the popover's UA styles. Where the Popover API is missing, the `zIndex` option does what it can.
   */
  #raise(): void {
    if (this.mode !== 'floating' || typeof HTMLElement.prototype.showPopover !== 'function') return;
    try {
      if (this.getAttribute('popover') !== 'manual') this.setAttribute('popover', 'manual');
      if (!this.matches(':popover-open')) this.showPopover();
    } catch {
      // Not showable here (e.g. a document being torn down): stays a fixed element with its z-index.
    }
  }

  #attributeOptions(): WidgetOptions {
    const out: Record<string, unknown> = {};
    for (const name of OPTION_NAMES) {
      const value = this.getAttribute(name === 'zIndex' ? 'z-index' : name);
      if (value !== null) out[name] = value;
    }
    return out as WidgetOptions;
  }

  #boot(): void {
    let options: ResolvedOptions;
    try {
      options = resolveOptions(
        { ...this.#attributeOptions(), ...this.#given },
        { server: scriptDefaults.server, language: navigator.language },
      );
    } catch (error) {
      const message = `SyncTalk: ${(error as Error).message}`;
      globalThis.console?.error(message);
      this.#emit('error', { code: 'validation_failed', message });
      return;
    }
    this.#options = options;
    this.setAttribute('position', options.position);
    const dark = matchMedia('(prefers-color-scheme: dark)');
    const scheme = () =>
      this.setAttribute(
        'scheme',
        options.theme === 'dark' || (options.theme === 'auto' && dark.matches) ? 'dark' : 'light',
      );
    scheme();
    dark.addEventListener('change', scheme);
    this.#cleanups.push(() => dark.removeEventListener('change', scheme));
    // The visual viewport's box while the floating panel is open (the phone layout follows it).
    const viewport = new CSSStyleSheet();
    this.#root.adoptedStyleSheets = [...widgetSheets(), instanceSheet(options.zIndex), viewport];
    const store = new ChatStore(options, {
      changed: () => this.#schedule(),
      pageVisible: () => document.visibilityState === 'visible',
    });
    this.#store = store;
    const names: (keyof WidgetEvents)[] = ['message', 'unread', 'open', 'close', 'ready', 'error'];
    for (const name of names) {
      this.#cleanups.push(
        store.events.on(name, ((...args: unknown[]) => this.#emit(name, ...args)) as never),
      );
    }
    let unfollow: (() => void) | undefined;
    const follow = (open: boolean) => {
      unfollow?.();
      unfollow = open && this.mode === 'floating' ? followVisualViewport(viewport) : undefined;
    };
    this.#cleanups.push(
      store.events.on('open', () => {
        this.#wantFocus = 'first';
        follow(true);
      }),
      store.events.on('close', () => {
        this.#ui.live = null;
        if (this.#root.activeElement) this.#wantFocus = 'launcher';
        follow(false);
      }),
      () => follow(false),
    );
    const onVisible = () => {
      if (document.visibilityState === 'visible') store.pageShown();
    };
    document.addEventListener('visibilitychange', onVisible);
    // Typing indicators expire on their own: re-render while any is shown; relative times ("5m ago") and
    // day separators move on: re-render the open panel every half minute.
    let ticks = 0;
    const timer = setInterval(() => {
      const room = store.current;
      ticks += 1;
      if ((room && room.typing.size > 0) || (ticks % 30 === 0 && store.state.open)) this.#schedule();
    }, 1000);
    this.#cleanups.push(
      () => document.removeEventListener('visibilitychange', onVisible),
      () => clearInterval(timer),
    );
    if (this.mode === 'inline') store.setOpen(true);
    this.#renderNow();
    void store.start();
  }

  #teardown(): void {
    for (const cleanup of this.#cleanups) cleanup();
    this.#cleanups = [];
    this.#store?.destroy();
    this.#store = undefined;
    render(nothing, this.#root);
  }

  #emit(name: keyof WidgetEvents, ...args: unknown[]): void {
    (this.#listeners.emit as (event: string, ...a: unknown[]) => void)(name, ...args);
    this.dispatchEvent(
      new CustomEvent(`synctalk:${name}`, { detail: args[0], bubbles: true, composed: true }),
    );
  }

  // ---- rendering -----------------------------------------------------------------------------------------

  /** Renders once per frame at most, however many changes arrive (a busy room sends many). */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    requestAnimationFrame(() => {
      this.#scheduled = false;
      this.#renderNow();
    });
  }

  #context(store: ChatStore, options: ResolvedOptions): ViewContext {
    return {
      store,
      state: store.state,
      t: strings(options.locale),
      locale: options.locale,
      ui: this.#ui,
      mode: this.mode,
      fixedRoom: options.room !== undefined,
      rerender: () => this.#schedule(),
      focusComposer: () => {
        this.#wantFocus = 'composer';
        this.#schedule();
      },
      close: () => this.close(),
      scrolled: ({ top, bottom }) => this.#scrolled(store, top, bottom),
    };
  }

  #renderNow(): void {
    const store = this.#store;
    const options = this.#options;
    if (!store || !options) return;
    const v = this.#context(store, options);
    const list = this.#list();
    const stick = store.atBottom;
    const template =
      this.mode === 'floating'
        ? html`<div class=${store.state.open ? 'floating open' : 'floating'} lang=${options.locale}>
            ${store.state.open ? panel(v) : nothing} ${options.launcher ? launcher(v) : nothing}
          </div>`
        : html`<div class="inline" lang=${options.locale}>${panel(v)}</div>`;
    const hadFocus = this.#root.activeElement !== null;
    render(template, this.#root);
    // The focused control went away with its view (sign-in done, a room chosen): keep the focus in the panel.
    if (hadFocus && !this.#root.activeElement && store.state.open) this.#wantFocus ??= 'first';
    this.#afterRender(store, list, stick);
  }

  #list(): HTMLElement | null {
    return this.#root.querySelector<HTMLElement>('[part~="messages"]');
  }

  #afterRender(store: ChatStore, before: HTMLElement | null, stick: boolean): void {
    const list = this.#list();
    if (list) {
      if (this.#keepFromBottom !== null && list === before) {
        list.scrollTop = list.scrollHeight - this.#keepFromBottom;
      } else if (stick || list !== before) {
        list.scrollTop = list.scrollHeight;
      }
      // A short history fills no screen, so no scroll can ask for more: ask now.
      const room = store.current;
      if (
        room &&
        room.timeline.loaded &&
        room.timeline.hasOlder &&
        !room.loadingOlder &&
        list.scrollHeight <= list.clientHeight
      ) {
        this.#loadOlder(store, list);
      }
    }
    const focus = this.#wantFocus;
    if (focus) {
      this.#wantFocus = null;
      const target =
        focus === 'launcher'
          ? this.#root.querySelector<HTMLElement>('[part~="launcher"]')
          : focus === 'composer'
            ? this.#root.querySelector<HTMLElement>('[part~="input"]')
            : (['[part~="input"]', '[part~="body"] :is(input, button)', '[part~="panel"] button']
                .map((selector) => this.#root.querySelector<HTMLElement>(selector))
                .find(Boolean) ?? null);
      target?.focus();
    }
  }

  #scrolled(store: ChatStore, top: boolean, bottom: boolean): void {
    store.setAtBottom(bottom);
    const list = this.#list();
    if (top && list) this.#loadOlder(store, list);
  }

  #loadOlder(store: ChatStore, list: HTMLElement): void {
    const room = store.current;
    if (!room || !room.timeline.loaded || !room.timeline.hasOlder || room.loadingOlder) return;
    this.#keepFromBottom = list.scrollHeight - list.scrollTop;
    void store.loadOlder(room.room.id).finally(() => {
      this.#renderNow();
      this.#keepFromBottom = null;
    });
  }
}

/** Registers `<synctalk-chat>` once (a second copy of the script, or a host's own definition, is left alone). */
export function defineSyncTalkChat(): void {
  if (!customElements.get(TAG)) customElements.define(TAG, SyncTalkChatElement);
}

/**
 * A tiny typed event emitter (browsers and Node alike, no dependency). A listener that throws does not stop
 * the others or the emitter's caller: its error is rethrown on a later tick, where it surfaces as an
 * uncaught error like any other bug.
 */

/**
 * An event map: event name → listener signature.
 *
 * @example
 * ```ts
 * type Events = { tick: (n: number) => void };
 * ```
 */
export type EventMap = { [event: string]: (...args: never[]) => void };

/**
 * Typed `on` / `off` / `once` / `emit`.
 *
 * @example
 * ```ts
 * const emitter = new Emitter<{ tick: (n: number) => void }>();
 * const off = emitter.on('tick', (n) => console.log(n));
 * emitter.emit('tick', 1);
 * off();
 * ```
 */
export class Emitter<Events extends EventMap> {
  readonly #listeners = new Map<keyof Events, Set<Events[keyof Events]>>();

  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof Events>(event: E, listener: Events[E]): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  /** Adds a listener called at most once; returns a function that removes it. */
  once<E extends keyof Events>(event: E, listener: Events[E]): () => void {
    const wrapper = ((...args: Parameters<Events[E]>) => {
      off();
      (listener as (...a: Parameters<Events[E]>) => void)(...args);
    }) as unknown as Events[E];
    const off = this.on(event, wrapper);
    return off;
  }

  /** Removes a listener added with `on` (a listener added with `once`: use the function `once` returned). */
  off<E extends keyof Events>(event: E, listener: Events[E]): void {
    this.#listeners.get(event)?.delete(listener);
  }

  /** Calls every listener of `event` with `args`, in the order they were added. */
  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (...a: Parameters<Events[E]>) => void)(...args);
      } catch (error) {
        setTimeout(() => {
          throw error;
        }, 0);
      }
    }
  }

  /** Number of listeners of `event`. */
  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}

/**
 * The composer: Enter sends, Shift+Enter is a new line, and Enter during IME composition (Hangul, kana)
 * only ends the composition. It shows the length limit near it, the reply or edit in progress, and sends
 * typing notices.
 */
import { html, nothing } from 'lit-html';
import { live } from 'lit-html/directives/live.js';

import { codePointLength, preview } from '../format/text.js';
import type { RoomState } from '../state/rooms.js';
import type { ViewContext } from './context.js';
import { closeIcon, sendIcon } from './icons.js';

/** The server's default message limit (MESSAGE_MAX_LENGTH); a lower server limit answers with its own message. */
export const MAX_LENGTH = 4000;
/** The counter appears from this share of the limit on. */
const COUNTER_FROM = 0.8;

export function composer(v: ViewContext, room: RoomState) {
  const { t, ui, store } = v;
  const roomId = room.room.id;
  if (room.gone)
    return html`<p class="center" part="notice">${room.gone === 'deleted' ? t.roomGone : t.removed}</p>`;
  if (store.isMuted(room)) return html`<p class="center" part="notice">${t.muted}</p>`;
  const draft = ui.drafts.get(roomId) ?? '';
  const length = codePointLength(draft);
  const over = length > MAX_LENGTH;
  const rows = Math.min(5, draft.split('\n').length);

  const reset = () => {
    ui.drafts.set(roomId, '');
    ui.replyTo = null;
    ui.editing = null;
  };
  const submit = () => {
    const text = (ui.drafts.get(roomId) ?? '').trim();
    if (!text || codePointLength(text) > MAX_LENGTH) return;
    if (ui.editing) {
      const id = ui.editing.id;
      if (text !== ui.editing.text) void store.edit(roomId, id, text);
    } else {
      store.send(roomId, text, ui.replyTo?.id ?? null);
      store.typing(roomId, false);
    }
    reset();
    v.rerender();
  };

  const context = ui.editing
    ? html`<div class="row context">
        <span>${t.editing}</span>
        <button
          class="icon"
          type="button"
          aria-label=${t.cancel}
          @click=${() => {
            reset();
            v.rerender();
          }}
        >
          ${closeIcon}
        </button>
      </div>`
    : ui.replyTo
      ? html`<div class="row context">
          <span>${t.replyingTo(ui.replyTo.author.displayName)}: ${preview(ui.replyTo.text, 60)}</span>
          <button
            class="icon"
            type="button"
            aria-label=${t.cancel}
            @click=${() => {
              ui.replyTo = null;
              v.rerender();
            }}
          >
            ${closeIcon}
          </button>
        </div>`
      : nothing;

  return html`<form
    part="composer"
    @submit=${(e: SubmitEvent) => {
      e.preventDefault();
      submit();
    }}
  >
    ${context}
    <div class="row">
      <textarea
        part="input"
        name="text"
        rows=${rows}
        aria-label=${t.placeholder}
        placeholder=${t.placeholder}
        enterkeyhint="send"
        .value=${live(draft)}
        @input=${(e: InputEvent) => {
          const value = (e.target as HTMLTextAreaElement).value;
          ui.drafts.set(roomId, value);
          if (!ui.editing) store.typing(roomId, value.trim().length > 0);
          v.rerender();
        }}
        @keydown=${(e: KeyboardEvent) => {
          if (e.key === 'Escape' && (ui.editing || ui.replyTo)) {
            e.preventDefault();
            reset();
            v.rerender();
            return;
          }
          if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;
          e.preventDefault();
          submit();
        }}
        @blur=${() => store.typing(roomId, false)}
      ></textarea>
      <button
        part="send"
        type="submit"
        aria-label=${ui.editing ? t.save : t.send}
        ?disabled=${!draft.trim() || over}
      >
        ${sendIcon}
      </button>
    </div>
    ${
      length >= MAX_LENGTH * COUNTER_FROM
        ? html`<div part="counter" class=${over ? 'over' : ''} aria-live="polite">
            ${length} / ${MAX_LENGTH}${over ? html` · ${t.tooLong(MAX_LENGTH)}` : nothing}
          </div>`
        : nothing
    }
  </form>`;
}

/** One message: author, reply quote, text with safe links, time, edit state, reactions, and its actions. */
import { html, nothing } from 'lit-html';
import type { Message, OutgoingMessage } from '@synctalk/sdk';
import { linkify, preview } from '../format/text.js';
import { fullLabel, timeLabel } from '../format/time.js';
import type { RoomState } from '../state/rooms.js';
import type { ViewContext } from './context.js';

export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'];

function text(value: string) {
  return linkify(value).map((part) =>
    part.kind === 'link'
      ? html`<a part="link" href=${part.href} target="_blank" rel="noopener noreferrer">${part.text}</a>`
      : part.text,
  );
}

function quote(v: ViewContext, room: RoomState, replyTo: string | null | undefined) {
  if (!replyTo) return nothing;
  const target = room.timeline.find(replyTo);
  const who = target ? target.author.displayName : '';
  const what = target ? (target.deletedAt ? v.t.deleted : preview(target.text, 70)) : v.t.aMessage;
  return html`<div part="quote">↪ ${who ? `${who}: ` : ''}${what}</div>`;
}

function actions(v: ViewContext, room: RoomState, m: Message, own: boolean) {
  const { t, ui, store } = v;
  if (ui.actionsFor !== m.id || m.deletedAt) return nothing;
  const roomId = room.room.id;
  const done = () => {
    ui.actionsFor = null;
    ui.confirmDelete = null;
    v.rerender();
  };
  if (ui.confirmDelete === m.id) {
    return html`<div part="actions" role="group">
      <span class="hint">${t.confirmDelete}</span>
      <button
        type="button"
        class="failed"
        data-action="confirm-delete"
        @click=${() => {
          void store.remove(roomId, m.id);
          done();
        }}
      >
        ${t.delete}
      </button>
      <button type="button" @click=${done}>${t.cancel}</button>
    </div>`;
  }
  return html`<div part="actions" role="group" aria-label=${t.actions}>
    ${QUICK_REACTIONS.map(
      (emoji) =>
        html`<button
          type="button"
          data-action="react"
          data-emoji=${emoji}
          aria-label=${`${t.react} ${emoji}`}
          @click=${() => {
            void store.toggleReaction(roomId, m.id, emoji);
            done();
          }}
        >
          ${emoji}
        </button>`,
    )}
    <button
      type="button"
      data-action="reply"
      @click=${() => {
        ui.replyTo = m;
        ui.editing = null;
        done();
        v.focusComposer();
      }}
    >
      ${t.reply}
    </button>
    ${
      own
        ? html`<button
              type="button"
              data-action="edit"
              @click=${() => {
                ui.editing = m;
                ui.replyTo = null;
                ui.drafts.set(roomId, m.text);
                done();
                v.focusComposer();
              }}
            >
              ${t.edit}
            </button>
            <button
              type="button"
              class="failed"
              data-action="delete"
              @click=${() => {
                ui.confirmDelete = m.id;
                v.rerender();
              }}
            >
              ${t.delete}
            </button>`
        : nothing
    }
  </div>`;
}

export function messageView(v: ViewContext, room: RoomState, m: Message, first: boolean) {
  const own = m.author.id === v.state.me?.id;
  const at = new Date(m.createdAt);
  const open = v.ui.actionsFor === m.id;
  return html`<div
    part=${own ? 'message own' : 'message'}
    class=${first ? 'first' : ''}
    data-seq=${m.seq}
    data-message-id=${m.id}
    data-status="sent"
    data-own=${own ? 'true' : 'false'}
    aria-live=${own ? 'off' : nothing}
  >
    ${
      own
        ? nothing
        : first
          ? html`<div part="author">${m.author.displayName}</div>`
          : html`<span class="sr-only">${m.author.displayName}:</span>`
    }
    ${quote(v, room, m.replyTo)}
    <div part="bubble">
      ${
        m.deletedAt
          ? html`<span part="text" class="deleted">${v.t.deleted}</span>`
          : html`<span part="text">${text(m.text)}</span>`
      }
    </div>
    <div part="meta">
      <time datetime=${m.createdAt} title=${fullLabel(at, v.locale)}>${timeLabel(at, v.locale)}</time>
      ${m.editedAt && !m.deletedAt ? html`<span>· ${v.t.edited}</span>` : nothing}
    </div>
    ${
      m.reactions.length
        ? html`<div part="reactions">
            ${m.reactions.map(
              (r) =>
                html`<button
                  part="reaction"
                  type="button"
                  aria-pressed=${r.me ? 'true' : 'false'}
                  data-emoji=${r.emoji}
                  @click=${() => void v.store.toggleReaction(room.room.id, m.id, r.emoji)}
                >
                  ${r.emoji} ${r.count}
                </button>`,
            )}
          </div>`
        : nothing
    }
    ${
      m.deletedAt
        ? nothing
        : html`<button
            part="actions-toggle"
            type="button"
            aria-label=${v.t.actions}
            aria-expanded=${open ? 'true' : 'false'}
            @click=${() => {
              v.ui.actionsFor = open ? null : m.id;
              v.ui.confirmDelete = null;
              v.rerender();
            }}
          >
            ⋯
          </button>`
    }
    ${actions(v, room, m, own)}
  </div>`;
}

export function pendingView(v: ViewContext, room: RoomState, p: OutgoingMessage) {
  const failed = p.status === 'failed';
  const error = p.error?.message;
  return html`<div
    part="message own"
    data-client-msg-id=${p.clientMsgId}
    data-status=${p.status}
    data-own="true"
    aria-live="off"
  >
    ${quote(v, room, p.replyTo)}
    <div part="bubble"><span part="text">${text(p.text)}</span></div>
    <div part="meta">
      ${
        failed
          ? html`<span class="failed" role="alert" title=${error ?? ''}
                >${v.t.failed}${error ? `: ${error}` : ''}</span
              >
              <button
                class="link"
                type="button"
                data-action="retry"
                @click=${() => v.store.retry(p.clientMsgId)}
              >
                ${v.t.retry}
              </button>
              <button
                class="link"
                type="button"
                data-action="discard"
                @click=${() => v.store.discard(p.clientMsgId)}
              >
                ${v.t.discard}
              </button>`
          : html`<span>${v.t.sending}</span>`
      }
    </div>
  </div>`;
}

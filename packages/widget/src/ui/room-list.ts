/** My rooms (with unread counts), the public directory, joining by code, and creating a room. */
import { html, nothing } from 'lit-html';
import type { Room } from '@synctalk/sdk';
import { lastActivity, orderRooms } from '../state/rooms.js';
import { preview } from '../format/text.js';
import { fullLabel, relativeLabel } from '../format/time.js';
import type { ViewContext } from './context.js';

function initial(title: string): string {
  return Array.from(title.trim())[0]?.toUpperCase() ?? '#';
}

function errorLine(v: ViewContext) {
  return v.state.error ? html`<p part="error" role="alert">${v.state.error}</p>` : nothing;
}

export function roomListView(v: ViewContext) {
  const { t, store } = v;
  const rooms = orderRooms(v.state.rooms.values());
  const now = new Date();
  const joinCode = (e: SubmitEvent) => {
    e.preventDefault();
    const input = (e.currentTarget as HTMLFormElement).elements.namedItem('code') as HTMLInputElement;
    if (input.value.trim()) void store.joinByCode(input.value);
  };
  return html`<div part="room-list" class="scroll">
      ${errorLine(v)}
      ${
        rooms.length === 0
          ? html`<p class="center">${t.noRooms}</p>`
          : html`<ul aria-label=${t.rooms}>
              ${rooms.map((r) => {
                const last = r.timeline.messages[r.timeline.messages.length - 1];
                const active = lastActivity(r);
                const sub =
                  last && !last.deletedAt
                    ? `${last.author.displayName}: ${preview(last.text, 60)}`
                    : t.members(r.room.memberCount);
                return html`<li>
                  <button
                    part="room-item"
                    type="button"
                    data-room-id=${r.room.id}
                    @click=${() => void store.showRoom(r.room.id)}
                  >
                    <span class="avatar" aria-hidden="true">${initial(r.room.title)}</span>
                    <span class="grow"
                      ><strong class="ellipsis">${r.room.title}</strong
                      ><span class="hint ellipsis">${sub}</span></span
                    >
                    <span class="side">
                      ${
                        active
                          ? html`<time
                              part="room-time"
                              datetime=${active}
                              title=${fullLabel(new Date(active), v.locale)}
                              >${relativeLabel(new Date(active), now, v.locale)}</time
                            >`
                          : nothing
                      }
                      ${
                        r.unread > 0
                          ? html`<span part="room-unread" aria-label=${t.unread(r.unread)}
                              >${r.unread > 99 ? '99+' : r.unread}</span
                            >`
                          : nothing
                      }
                    </span>
                  </button>
                </li>`;
              })}
            </ul>`
      }
    </div>
    <div class="toolbar">
      <button
        class="button"
        type="button"
        data-action="browse"
        @click=${() => store.show({ name: 'browse' })}
      >
        ${t.browse}
      </button>
      ${
        v.state.me?.kind === 'guest'
          ? nothing
          : html`<button
              class="button"
              type="button"
              data-action="create"
              @click=${() => store.show({ name: 'create' })}
            >
              ${t.create}
            </button>`
      }
      <form class="row" @submit=${joinCode}>
        <input
          name="code"
          aria-label=${t.joinCode}
          placeholder=${t.joinCode}
          maxlength="12"
          autocapitalize="characters"
          spellcheck="false"
        />
        <button class="button" type="submit" data-action="join-code" ?disabled=${v.state.busy}>
          ${t.join}
        </button>
      </form>
    </div>`;
}

export function browseView(v: ViewContext) {
  const { t, store } = v;
  const dir = v.state.directory;
  const mine = (room: Room) => v.state.rooms.has(room.id) && !v.state.rooms.get(room.id)!.gone;
  return html`<div part="directory" class="scroll">
    ${errorLine(v)}
    <ul aria-label=${t.publicRooms}>
      ${dir.items.map(
        (room) =>
          html`<li>
            <button
              part="room-item"
              type="button"
              data-room-id=${room.id}
              ?disabled=${v.state.busy}
              @click=${() => (mine(room) ? void store.showRoom(room.id) : void store.joinRoom(room.id))}
            >
              <span class="avatar" aria-hidden="true">${initial(room.title)}</span>
              <span class="grow"
                ><strong class="ellipsis">${room.title}</strong
                ><span class="hint ellipsis">${room.description || t.members(room.memberCount)}</span></span
              >
            </button>
          </li>`,
      )}
    </ul>
    ${dir.loaded && dir.items.length === 0 ? html`<p class="center">${t.noPublicRooms}</p>` : nothing}
    ${dir.loading ? html`<p class="center">${t.loading}</p>` : nothing}
    ${
      dir.nextCursor && !dir.loading
        ? html`<div class="stack">
            <button class="button" type="button" @click=${() => void store.loadDirectory(true)}>
              ${t.loadMore}
            </button>
          </div>`
        : nothing
    }
  </div>`;
}

export function createView(v: ViewContext) {
  const { t, store } = v;
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const title = (form.elements.namedItem('title') as HTMLInputElement).value;
    const visibility =
      (form.elements.namedItem('visibility') as HTMLSelectElement).value === 'private' ? 'private' : 'public';
    if (title.trim()) void store.createRoom(title, visibility);
  };
  return html`<div part="create" class="scroll">
    ${errorLine(v)}
    <form class="stack" @submit=${submit}>
      <label>${t.title}<input name="title" required maxlength="100" /></label>
      <label
        >${t.visibility}
        <select name="visibility">
          <option value="public">${t.public}</option>
          <option value="private">${t.private}</option>
        </select>
      </label>
      <button class="button primary" type="submit" ?disabled=${v.state.busy}>${t.createRoom}</button>
    </form>
  </div>`;
}

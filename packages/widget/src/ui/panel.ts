/** The panel: header (title, online count, back, sign out, close), connection banner, and the current view. */
import { html, nothing } from 'lit-html';
import { backIcon, closeIcon, logoutIcon } from './icons.js';
import type { ViewContext } from './context.js';
import { roomView } from './room.js';
import { browseView, createView, roomListView } from './room-list.js';
import { signInView } from './sign-in.js';

function banner(v: ViewContext) {
  const { phase, status } = v.state;
  if (phase !== 'ready') return nothing;
  const text = status === 'reconnecting' ? v.t.reconnecting : status === 'closed' ? v.t.offline : '';
  return text ? html`<div part="banner" role="status">${text}</div>` : nothing;
}

function header(v: ViewContext) {
  const { state, t } = v;
  const room = v.store.current;
  const inList = !v.fixedRoom && state.phase === 'ready' && state.view.name !== 'rooms';
  const title = room ? room.room.title : (state.site?.name ?? t.chat);
  const signedIn = state.me !== null && (state.phase === 'ready' || state.phase === 'failed');
  return html`<header part="header">
    ${
      inList
        ? html`<button
            part="back"
            class="icon"
            type="button"
            aria-label=${t.back}
            @click=${() => v.store.show({ name: 'rooms' })}
          >
            ${backIcon}
          </button>`
        : nothing
    }
    <div class="heading">
      <h2 part="room-title" id="synctalk-title">${title}</h2>
      ${
        room
          ? html`<div class="sub">
              <span part="online">${t.online(room.online)}</span>
              <span>${t.members(room.room.memberCount)}</span>
              ${room.room.visibility === 'private' && room.room.code ? html`<span>${t.code(room.room.code)}</span>` : nothing}
            </div>`
          : state.me
            ? html`<div class="sub"><span>${t.signedInAs(state.me.displayName)}</span></div>`
            : nothing
      }
    </div>
    ${
      signedIn
        ? html`<button
            part="sign-out"
            class="icon"
            type="button"
            aria-label=${t.signOut}
            title=${t.signOut}
            @click=${() => void v.store.logout()}
          >
            ${logoutIcon}
          </button>`
        : nothing
    }
    ${
      v.mode === 'floating'
        ? html`<button
            part="close"
            class="icon"
            type="button"
            aria-label=${t.closeChat}
            @click=${() => v.close()}
          >
            ${closeIcon}
          </button>`
        : nothing
    }
  </header>`;
}

function body(v: ViewContext) {
  const { state, t } = v;
  switch (state.phase) {
    case 'starting':
      return html`<p class="center">${t.loading}</p>`;
    case 'connecting':
      return html`<p class="center">${t.connecting}</p>`;
    case 'signed-out':
      return signInView(v);
    case 'failed':
      return html`<div class="center">
        ${state.error ? html`<p part="error" role="alert">${state.error}</p>` : nothing}
      </div>`;
    case 'ready':
      break;
  }
  const view = state.view;
  if (view.name === 'room') return roomView(v, view.roomId);
  // Coming back to a room later starts a new "since it was opened".
  v.ui.live = null;
  if (view.name === 'browse') return browseView(v);
  if (view.name === 'create') return createView(v);
  if (v.fixedRoom)
    return html`<div class="center">
      ${state.error ? html`<p part="error" role="alert">${state.error}</p>` : t.loading}
    </div>`;
  return roomListView(v);
}

export function panel(v: ViewContext) {
  const floating = v.mode === 'floating';
  return html`<section
    part="panel"
    role=${floating ? 'dialog' : 'region'}
    aria-labelledby="synctalk-title"
    @keydown=${(e: KeyboardEvent) => {
      if (floating && e.key === 'Escape' && !e.defaultPrevented) v.close();
    }}
  >
    ${header(v)} ${banner(v)}
    <div part="body">${body(v)}</div>
  </section>`;
}

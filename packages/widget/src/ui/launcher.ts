/** The floating launcher: a bubble with the unread badge. */
import { html, nothing } from 'lit-html';
import { chatIcon, closeIcon } from './icons.js';
import type { ViewContext } from './context.js';

export function launcher(v: ViewContext) {
  const { open } = v.state;
  const unread = v.store.unread;
  const label = open ? v.t.closeChat : unread > 0 ? `${v.t.openChat} (${v.t.unread(unread)})` : v.t.openChat;
  return html`<button
    part="launcher"
    type="button"
    aria-label=${label}
    aria-expanded=${open ? 'true' : 'false'}
    @click=${() => v.store.setOpen(!open)}
  >
    ${open ? closeIcon : chatIcon}
    ${
      unread > 0 && !open
        ? html`<span part="badge" aria-hidden="true">${unread > 99 ? '99+' : unread}</span>`
        : nothing
    }
  </button>`;
}

/* global window, document, fetch, FormData, SyncTalk -- browser globals (this example is plain JavaScript) */
// The page's own script: the loader stub, then the shop's sign-in wired to the widget.
window.SyncTalk =
  window.SyncTalk ||
  function () {
    (window.SyncTalk.q = window.SyncTalk.q || []).push(arguments);
  };

const signIn = document.getElementById('sign-in');
const account = document.getElementById('account');
const status = document.getElementById('status');

/** Asks the shop's backend for a chat token: signed in, the widget identifies the visitor; else it signs out. */
async function connectChat() {
  status.textContent = '';
  const res = await fetch('/chat-token', { cache: 'no-store' });
  if (res.ok) {
    const { token, user } = await res.json();
    SyncTalk('identify', { token });
    document.getElementById('who').textContent = user.name;
  } else {
    // Not signed in to the shop: no chat session from an earlier visitor either.
    SyncTalk('logout');
  }
  signIn.hidden = res.ok;
  account.hidden = !res.ok;
}

signIn.addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = new FormData(signIn).get('name');
  await fetch('/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  await connectChat();
});

document.getElementById('sign-out').addEventListener('click', async () => {
  await fetch('/logout', { method: 'POST' });
  await connectChat();
});

SyncTalk('on', 'error', ({ code, message }) => {
  status.textContent = `Chat: ${message} (${code})`;
});

connectChat();

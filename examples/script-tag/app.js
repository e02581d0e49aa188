/* global window, document, SyncTalk -- browser globals (this example is plain JavaScript) */
// The host page's script for index.html. It runs before the widget arrives, so it starts with the loader
// stub: calls made now are queued and replayed, in order, once widget.js has loaded.
window.SyncTalk =
  window.SyncTalk ||
  function () {
    (window.SyncTalk.q = window.SyncTalk.q || []).push(arguments);
  };

const badge = document.getElementById('unread-badge');
const status = document.getElementById('status');

// The total number of unread messages over all the visitor's rooms.
SyncTalk('on', 'unread', (count) => {
  badge.textContent = String(count);
  badge.hidden = count === 0;
});
SyncTalk('on', 'ready', ({ user }) => {
  status.textContent = user
    ? `Chat ready: signed in as ${user.displayName}.`
    : 'Chat ready: not signed in yet.';
});
SyncTalk('on', 'error', ({ code, message }) => {
  status.textContent = `Chat error (${code}): ${message}`;
});

document.getElementById('open-chat').addEventListener('click', () => SyncTalk('open'));

/* global document, console -- browser globals (this example is plain JavaScript) */
// The host page's script for inline.html: the element reports what happens as DOM events.
const chat = document.getElementById('chat');
const unread = document.getElementById('unread');

chat.addEventListener('synctalk:unread', (event) => {
  unread.textContent = String(event.detail);
});
chat.addEventListener('synctalk:error', (event) => {
  console.warn('chat error', event.detail.code, event.detail.message);
});

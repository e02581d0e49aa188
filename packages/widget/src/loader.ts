/**
 * The loader stub: defines `window.SyncTalk` before `widget.js` arrives, queueing every call, which the
 * widget replays in order when it loads. Paste it (built: `dist/loader.js`) before the widget's script tag.
 */
type Stub = { (...args: unknown[]): void; q?: IArguments[] };

const w = window as unknown as { SyncTalk?: Stub };
w.SyncTalk =
  w.SyncTalk ||
  function () {
    // eslint-disable-next-line prefer-rest-params
    (w.SyncTalk!.q = w.SyncTalk!.q || []).push(arguments);
  };

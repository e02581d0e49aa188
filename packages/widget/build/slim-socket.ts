/**
 * `slimSocket()`: the widget bundle's socket.io-client `Socket` without the API the widget never reaches.
 * Nothing in widget.js hands the raw socket to anyone: only the SDK's connection uses it, through `emit`,
 * `timeout(ms).emitWithAck`, `on`/`off`, `onAny`/`offAny`, `connect` and `disconnect`. So these methods go:
 *
 * - the other catch-all listener methods (`prependAny`, `listenersAny`, and the `…AnyOutgoing` family, whose
 *   notifier becomes a no-op);
 * - `open` (an alias of `connect`, which the constructor now calls), `disconnected` (the SDK reads
 *   `connected`), `send` (an `emit('message')`) and the per-emit modifiers the SDK does not use (`compress`,
 *   `volatile`);
 * - the retry queue (`_addToQueue`; `_drainQueue` becomes a no-op), used only with the `retries` option, which
 *   the SDK never sets (it has its own outbox): should anything set it, `emit` fails loudly, not silently.
 *
 * The SDK's own browser builds keep the whole Socket (their users may reach it). The build fails if a method
 * is not found exactly once, so a socket.io-client upgrade that moves them is noticed.
 */
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

const REMOVED = [
  'send',
  '_addToQueue',
  'compress',
  'get volatile',
  'get disconnected',
  'prependAny',
  'listenersAny',
  'onAnyOutgoing',
  'prependAnyOutgoing',
  'offAnyOutgoing',
  'listenersAnyOutgoing',
];

/** `source` with the class-body method `head` (4-space indented, up to its closing brace) replaced. */
function replaceMethod(source: string, head: string, by: string): string {
  const lines = source.split('\n');
  const start = lines.flatMap((line, i) =>
    line.startsWith(`    ${head}(`) && line.endsWith(') {') ? [i] : [],
  );
  if (start.length !== 1) {
    throw new Error(
      `slim-socket: socket.io-client's Socket has ${start.length} "${head}(" methods, expected 1`,
    );
  }
  const end = lines.indexOf('    }', start[0]);
  if (end < 0) throw new Error(`slim-socket: the end of "${head}" was not found`);
  lines.splice(start[0]!, end - start[0]! + 1, ...(by ? [by] : []));
  return lines.join('\n');
}

export function slimSocket(): Plugin {
  return {
    name: 'synctalk-slim-socket',
    setup(build) {
      build.onLoad({ filter: /socket\.io-client[\\/]build[\\/]esm[\\/]socket\.js$/ }, async (args) => {
        let source = await readFile(args.path, 'utf8');
        for (const head of REMOVED) source = replaceMethod(source, head, '');
        source = replaceMethod(source, '_drainQueue', '    _drainQueue() {}');
        source = replaceMethod(source, 'notifyOutgoingListeners', '    notifyOutgoingListeners() {}');
        // `open()` is an alias of `connect()`, called once, by the constructor.
        source = replaceMethod(source, 'open', '');
        if (source.split('this.open();').length !== 2) {
          throw new Error('slim-socket: socket.io-client no longer calls this.open() exactly once');
        }
        source = source.replace('this.open();', 'this.connect();');
        return { contents: source, loader: 'js' };
      });
    },
  };
}

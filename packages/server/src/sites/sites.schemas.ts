/**
 * The server's side of the sites schemas (the wire schemas themselves are `@synctalk/sdk/schemas`): the public
 * id pattern, shared by the site context, the socket handshake and the commands.
 */
import { PUBLIC_ID } from '@synctalk/sdk/schemas';

/** `st_` + letters and digits, as `newPublicId()` makes them (and as `X-SyncTalk-Site` accepts). */
export { PUBLIC_ID };

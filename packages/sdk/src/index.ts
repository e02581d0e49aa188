/**
 * @synctalk/sdk: the protocol every SyncTalk server and client shares (error codes, REST shapes, the socket
 * event maps) and the typed client. The protocol's public names are listed once, in protocol/index.ts; the
 * client's in client/index.ts.
 */
export * from './protocol/index.js';
export * from './client/index.js';

/** The SyncTalk client: REST, realtime with exactly-once delivery, and the pieces they are made of. */
export { createClient, type ClientOptions, type SyncTalkClient } from './client.js';
export { Emitter, type EventMap } from './emitter.js';
export { Endpoints } from './endpoints.js';
export { errorFromStatus, networkError } from './errors.js';
export { SITE_HEADER } from './http.js';
export { newClientMsgId } from './ids.js';
export { backoffDelay, type BackoffOptions } from './realtime/backoff.js';
// A type here: the class is loaded by `connect()` (its own chunk, with socket.io-client); the value is
// exported by `@synctalk/sdk/realtime`.
export type { Connection } from './realtime/connection.js';
export type { ConnectionDeps, ConnectOptions, SendOptions } from './realtime/options.js';
export type { OutgoingMessage, PendingSend, SendStatus } from './realtime/pending-send.js';
export type {
  ConnectionEvents,
  ConnectionLifecycleEvents,
  ConnectionStatus,
  DeliveryInfo,
  JoinedRoom,
} from './realtime/events.js';
export type { AckResult, RequestEvent } from './realtime/requests.js';
export type { DeliverySource } from './realtime/room-timeline.js';
export { MessageSequencer, type SeqGap, type Sequenced } from './realtime/sequencer.js';
export {
  createTimeline,
  Timeline,
  type TimelineEvents,
  type TimelineOptions,
  type TimelineSource,
  type TimelineSourceEvents,
} from './realtime/timeline.js';
export { TimelineState, type TimelineItem, type TimelineOutgoing } from './realtime/timeline-state.js';
export type { AuthApi } from './rest/auth.js';
export type { KakaoPopupOptions } from './rest/kakao-popup.js';
export type { CallOptions } from './rest/call.js';
export type { MeApi } from './rest/me.js';
export type { SiteApi } from './rest/site.js';
export type { HistoryOptions, MessagesApi, RestSendOptions } from './rest/messages.js';
export type { IterateOptions } from './rest/paging.js';
export type { MemberIterateOptions, RoomIterateOptions, RoomIterators } from './rest/rooms-iterate.js';
export type {
  MemberListOptions,
  PageOptions,
  RoomListOptions,
  RemovalOptions,
  RoomOffsetListOptions,
  RoomsApi,
} from './rest/rooms.js';
export {
  localStorageAdapter,
  memoryStorage,
  type KeyValueStorage,
  type LocalStorageAdapterOptions,
  type WebStorage,
} from './storage.js';
export { indexedDbStorage, type IndexedDbStorageOptions } from './indexeddb-storage.js';
export { memoryTokenStore, tokensFromAuth, type Tokens, type TokenStore } from './token-store.js';

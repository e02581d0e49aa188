/**
 * The protocol every SyncTalk server and client shares, and the `@synctalk/sdk/protocol` entry: the error
 * table, `SyncTalkError`, the REST shapes and the socket event maps. Types, plus a few small values; no
 * socket.io-client and no zod at runtime, so code that only checks errors or names types stays light.
 */
export { errorCodes, errorStatus, isErrorCode } from './errors.js';
export type { ErrorBody, ErrorCode } from './errors.js';
export { errorFromBody, isErrorBody, SyncTalkError, type SyncTalkErrorOptions } from './sync-talk-error.js';
export type {
  AuthResponse,
  KakaoStart,
  LoginRequest,
  LogoutRequest,
  RefreshRequest,
  SignupRequest,
  SiteRole,
  UpdateMeRequest,
  User,
  UserKind,
} from './auth.js';
export type {
  CreateRoomRequest,
  JoinRoomByCodeRequest,
  MuteMemberRequest,
  MyRoom,
  MyRoomPage,
  RemoveMemberRequest,
  Room,
  RoomMember,
  RoomMemberPage,
  RoomOffsetPage,
  RoomPage,
  RoomRole,
  RoomSort,
  RoomVisibility,
  UpdateMemberRequest,
  UpdateRoomRequest,
} from './rooms.js';
export type {
  CreatedSite,
  CreateSiteRequest,
  PublicSite,
  Site,
  SitePage,
  SiteSecret,
  SiteSettings,
  UpdateSiteRequest,
} from './sites.js';
export type {
  EditMessageRequest,
  Message,
  MessageAuthor,
  MessagePage,
  ReactionRequest,
  ReactionSummary,
  SendMessageRequest,
} from './messages.js';
export type {
  Ack,
  AuthExpiringEvent,
  AuthRefreshPayload,
  AuthRefreshResult,
  ChatHandshakeAuth,
  ClientToServerEvents,
  EditMessagePayload,
  JoinedMembership,
  MemberMutePayload,
  MemberRefPayload,
  MemberRemovalPayload,
  MemberRemovalResult,
  MemberRemovedEvent,
  MemberUpdatedEvent,
  MessageDeletedEvent,
  MessageRefPayload,
  MessageUpdatedEvent,
  OkResult,
  PresenceState,
  ReactionPayload,
  ReactionUpdatedEvent,
  ReadEvent,
  ReadUpdatePayload,
  ReadUpdateResult,
  RoomDeletedEvent,
  RoomHead,
  RoomHeadsEvent,
  RoomHeadsPayload,
  RoomJoinPayload,
  RoomJoinResult,
  RoomPayload,
  SendMessagePayload,
  ServerToClientEvents,
  TypingEvent,
} from './events.js';

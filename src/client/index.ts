export { B24Client, type B24ClientOptions } from './b24-client.ts';
export {
  unknownCommands,
  type PortalClient,
  type CallOptions,
  type CallResult,
  type ClientCounters,
  type BatchInput,
  type BatchOptions,
  type BatchResult,
  type BatchCommandOutcome,
  type ListOptions,
  type ListPage,
} from './portal-client.ts';
export { ListIterator } from './list-pages.ts';
export type { ClientHooks, RequestEvent, ResponseEvent, RetryEvent, RowsEvent, ListFallbackEvent, TokenRefreshEvent } from './client-hooks.ts';
export type { Connection, AuthSettings, WebhookAuth, OAuthAuth, LimiterSettings } from './connection.ts';
export {
  resolveConnection,
  normalizeBaseUrl,
  tokenEndpointFrom,
  DEFAULT_OAUTH_URL,
  type ConnectionOptions,
  type ResolveConnectionInput,
} from './resolve-connection.ts';
export {
  readCredentialsFile,
  writeCredentialsFile,
  updateProfile,
  withFileLock,
  isProcessAlive,
  assertPrivateFile,
  type FileLockOptions,
  type PortalProfile,
  type CredentialsFileContent,
} from './credentials-file.ts';
export { MemoryTokenStore, CredentialsFileTokenStore, tokenDigest, type TokenStore, type OAuthTokens, type TokenLineage } from './token-store.ts';
export { TokensFileTokenStore, readTokensFile, type TokensFileContent } from './tokens-file-store.ts';
export { openPortalClient, type OpenPortalClientOptions, type OpenedPortalClient } from './open-portal-client.ts';
export { resolveUserStatePaths, userStateFolder, type UserStatePaths } from './resolve-user-state-paths.ts';
export type { Transport, TransportRequest, TransportResponse } from './transport.ts';
export { createUndiciTransport, type UndiciTransportOptions } from './undici-transport.ts';
export { assertSecureUrl, isLoopbackHost, withLoopbackGuard } from './loopback-guard.ts';
export { isWriteMethod } from './is-write-method.ts';
export type { ListCursor } from '../protocol/index.ts';
export type { BatchCommand, BatchCommandInput } from '../protocol/index.ts';
export type { TimeInfo } from '../protocol/index.ts';
export { deriveIdempotencyKey } from './v3/idempotency-key.ts';
export { readApiVersionSetting } from './v3/read-api-version-setting.ts';

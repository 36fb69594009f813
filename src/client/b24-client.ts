/**
 * `B24Client`: the engine under every chain and call (DESIGN.md §2, §7). `call` one method, `batch` any
 * number of named commands, `list` every page of a list method; all through the limiter, the retry
 * policy and (for applications) the OAuth session, over a `Transport`.
 */
import { ConnectionConfigError } from '../errors/index.ts';
import { isBitrixApiError } from '../errors/index.ts';
import type { LimiterStore } from '../limiter/index.ts';
import { createLimiterStore } from '../limiter/index.ts';
import { RateLimiter, type BatchCharging } from '../limiter/index.ts';
import { assertMethodName, assertParamsObject } from '../protocol/index.ts';
import { defaultRetryPolicyOptions, type RetryPolicyOptions } from '../protocol/index.ts';
import { systemClock, type Clock } from '../util/index.ts';
import type { ClientContext } from './client-context.ts';
import type { ClientHooks } from './client-hooks.ts';
import type { Connection } from './connection.ts';
import { isWriteMethod } from './is-write-method.ts';
import { LimiterWaitTally } from './limiter-wait-tally.ts';
import { ListIterator } from './list-pages.ts';
import { withLoopbackGuard } from './loopback-guard.ts';
import { OAuthSession } from './oauth-session.ts';
import type { BatchInput, BatchOptions, BatchResult, CallOptions, CallResult, ClientCounters, ListOptions, PortalClient } from './portal-client.ts';
import { runBatch } from './send-batch.ts';
import { sendRequest } from './send-request.ts';
import { CredentialsFileTokenStore, MemoryTokenStore, type OAuthTokens, type TokenStore } from './token-store.ts';
import type { Transport } from './transport.ts';
import { createUndiciTransport, type UndiciTransportOptions } from './undici-transport.ts';
import { randomUUID } from 'node:crypto';
import { deriveIdempotencyKey, normalizeIdempotencyKey } from './v3/idempotency-key.ts';
import { OneRequestPerKey } from './v3/one-request-per-key.ts';
import { chooseApiVersion, MethodVersions, methodsFromPortalAnswer, type ApiVersion, type ApiVersionChoice } from './v3/method-versions.ts';
import { decodeV3BatchResults, encodeV3Batch, type V3BatchCommand } from './v3/v3-batch.ts';
import { assertV3Filter } from './v3/v3-filter.ts';
import { V3ListIterator } from './v3/v3-pagination.ts';

export interface B24ClientOptions {
  connection: Connection;
  /** Default: undici with keep-alive (always behind the loopback guard). */
  transport?: Transport;
  transportOptions?: UndiciTransportOptions;
  /** A limiter shared with other clients; default: one built from `connection.limiter`. */
  limiter?: RateLimiter;
  /** Store for the default limiter (default: memory, SQLite at `limiterPath` or Redis, as the connection asks). */
  limiterStore?: LimiterStore;
  limiterPath?: string;
  /** The portal's operating budget per method, seconds (default 480). */
  operatingLimitSeconds?: number;
  /** How the portal charges a batch (default `measured`). */
  batchCharging?: BatchCharging;
  clock?: Clock;
  /** Stops every limiter wait when it aborts (Ctrl-C): the caller gets an `InterruptedError`, nothing is sent. Only for the limiter this client builds. */
  waitSignal?: AbortSignal;
  /** Default: the credentials file of the profile, else memory. */
  tokenStore?: TokenStore;
  /** Receives both new tokens after every refresh this process performs. */
  onTokens?: (tokens: OAuthTokens) => void | Promise<void>;
  retry?: Partial<RetryPolicyOptions>;
  /** For back-off jitter (default Math.random). */
  random?: () => number;
  hooks?: ClientHooks;
  userAgent?: string;
  /** REST version when a call names none (default `auto`: v3 where the registry has the method and the parameters are v3-shaped). */
  apiVersion?: ApiVersionChoice;
  /** Which methods exist on REST 3.0 (default: the built-in list). */
  methodVersions?: MethodVersions;
}

function countingHooks(hooks: ClientHooks, tally: ClientCounters, waits: LimiterWaitTally, clock: Clock): ClientHooks {
  return {
    ...hooks,
    onRequest: (event) => {
      tally.requests += 1;
      tally.commands += event.commands;
      hooks.onRequest?.(event);
    },
    onRetry: (event) => {
      tally.retries += 1;
      hooks.onRetry?.(event);
    },
    onLimiterWait: (wait) => {
      waits.add(clock.now(), wait.waitMs);
      hooks.onLimiterWait?.(wait);
    },
    onRows: (event) => {
      tally.rows += event.rows;
      hooks.onRows?.(event);
    },
  };
}

export class B24Client implements PortalClient {
  readonly connection: Connection;
  readonly portalKey: string;
  readonly applicationKey?: string;
  readonly limiter: RateLimiter;
  private readonly context: ClientContext;
  private readonly ownsLimiter: boolean;
  private closing: Promise<void> | undefined;
  private readonly tally: ClientCounters = { requests: 0, commands: 0, retries: 0, limiterWaitMs: 0, rows: 0 };
  private readonly waits = new LimiterWaitTally();
  private readonly clock: Clock;
  readonly methodVersions: MethodVersions;
  readonly apiVersion: ApiVersionChoice;
  /** v3: never two requests with one Idempotency-Key in flight (the portal would run both). */
  private readonly keyed = new OneRequestPerKey();

  constructor(options: B24ClientOptions) {
    const { connection } = options;
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    const hooks = countingHooks(options.hooks ?? {}, this.tally, this.waits, clock);
    const transport = withLoopbackGuard(options.transport ?? createUndiciTransport(options.transportOptions));
    this.connection = connection;
    this.portalKey = connection.portalKey;
    if (connection.auth.mode === 'oauth' && connection.auth.clientId !== undefined) this.applicationKey = connection.auth.clientId;
    this.methodVersions = options.methodVersions ?? new MethodVersions();
    this.apiVersion = options.apiVersion ?? 'auto';
    this.ownsLimiter = options.limiter === undefined;
    if (options.limiter !== undefined) {
      this.limiter = options.limiter;
    } else {
      if (options.limiterStore === undefined && connection.limiter.store === 'sqlite' && options.limiterPath === undefined) {
        throw new ConnectionConfigError({
          setting: 'B24_RATE_LIMITER',
          code: 'MISSING_SETTING',
          detail: 'sqlite needs a file',
          hint: 'Pass limiterPath (the CLI uses B24_LIMITER_DB, else ~/.local/state/b24chain/limiter.db) or use B24_RATE_LIMITER=memory.',
        });
      }
      this.limiter = new RateLimiter({
        store: options.limiterStore ?? createLimiterStore(connection.limiter.store, options.limiterPath, connection.limiter.redis),
        clock,
        rate: connection.limiter.rate,
        burst: connection.limiter.burst,
        ...(options.operatingLimitSeconds === undefined ? {} : { operatingLimitSeconds: options.operatingLimitSeconds }),
        ...(options.batchCharging === undefined ? {} : { batchCharging: options.batchCharging }),
        ...(options.waitSignal === undefined ? {} : { signal: options.waitSignal }),
      });
    }
    let session: OAuthSession | undefined;
    if (connection.auth.mode === 'oauth') {
      const store =
        options.tokenStore ??
        (connection.credentialsFile !== undefined ? new CredentialsFileTokenStore(connection.credentialsFile, { clock }) : new MemoryTokenStore());
      session = new OAuthSession({
        auth: connection.auth,
        tokenKey: connection.tokenKey,
        store,
        transport,
        clock,
        ...(options.onTokens === undefined ? {} : { onTokens: options.onTokens }),
        onRefresh: (event) => hooks.onTokenRefresh?.(event),
      });
    }
    this.context = {
      connection,
      transport,
      limiter: this.limiter,
      clock,
      session,
      retry: { ...defaultRetryPolicyOptions, ...options.retry },
      random: options.random ?? Math.random,
      hooks,
      userAgent: options.userAgent ?? 'b24chain/0.1',
    };
  }

  /** One method call. Throws `BitrixApiError`, `OutcomeUnknownError` (writes), `NetworkError`, `TimeoutError`, `AuthError`, `InvalidRequestError`. */
  async call<T = unknown>(method: string, params: Record<string, unknown> = {}, options: CallOptions = {}): Promise<CallResult<T>> {
    assertMethodName(method);
    assertParamsObject(method, params);
    const version = this.versionFor(method, params ?? {}, options.version);
    const isWrite = options.write ?? isWriteMethod(method);
    if (version === 3) assertV3Filter(method, params.filter);
    const idempotencyKey = version === 3 && isWrite ? normalizeIdempotencyKey(options.idempotencyKey ?? deriveIdempotencyKey([randomUUID()])) : undefined;
    const response = await this.keyed.run(idempotencyKey, () =>
      sendRequest(this.context, {
        method,
        params: params ?? {},
        isWrite,
        commandCount: 1,
        version,
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      }),
    );
    const result: CallResult<T> = { result: response.result as T, version };
    if (idempotencyKey !== undefined) result.idempotencyKey = idempotencyKey;
    if ('replayed' in response && response.replayed) result.replayed = true;
    if (response.total !== undefined) result.total = response.total;
    if (response.next !== undefined) result.next = response.next;
    if (response.time !== undefined) result.time = response.time;
    return result;
  }

  /** Any number of named commands, split into requests of at most 50; one outcome per command, by name. */
  batch(commands: BatchInput, options: BatchOptions = {}): Promise<BatchResult> {
    return runBatch(this.context, commands, options);
  }

  /** Every page of a list method (`for await (const page of client.list(...))`, or `.rows()`); v3 lists page 1000 rows a request. */
  list(method: string, params: Record<string, unknown> = {}, options: ListOptions & { version?: ApiVersionChoice } = {}): ListIterator | V3ListIterator {
    const { version: requested, ...listOptions } = options;
    if (this.versionFor(method, params, requested) === 3) {
      assertV3Filter(method, params.filter);
      return new V3ListIterator(this.context, method, params, listOptions);
    }
    return new ListIterator(this.context, method, params, listOptions);
  }

  /** The REST version a call of `method` with `params` goes to (`auto`: the registry and the parameters' form decide). */
  versionFor(method: string, params: Record<string, unknown>, requested?: ApiVersionChoice): ApiVersion {
    return chooseApiVersion(method, params, requested ?? this.apiVersion, this.methodVersions);
  }

  /**
   * A REST 3.0 batch: commands by name (each name is the `as` alias later commands `$ref`), all or
   * nothing, results by name. A batch with a write carries an `Idempotency-Key` (given, or fresh).
   */
  async batchV3(
    commands: Readonly<Record<string, V3BatchCommand>>,
    options: { signal?: AbortSignal; idempotencyKey?: string } = {},
  ): Promise<{ results: Record<string, unknown>; replayed: boolean }> {
    const body = encodeV3Batch(commands);
    const isWrite = Object.values(commands).some((command) => isWriteMethod(command.method));
    const idempotencyKey = isWrite ? normalizeIdempotencyKey(options.idempotencyKey ?? deriveIdempotencyKey([randomUUID()])) : undefined;
    const response = await this.keyed.run(idempotencyKey, () =>
      sendRequest(this.context, {
        method: 'batch',
        params: {},
        v3Body: body,
        isWrite,
        commandCount: body.length,
        commandNames: Object.keys(commands),
        version: 3,
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      }),
    );
    return { results: decodeV3BatchResults(Object.keys(commands), response.result), replayed: 'replayed' in response && response.replayed };
  }

  /**
   * Refreshes the v3 method registry from the portal: `rest.scope.list` (v3 only), else the paths of
   * `rest.documentation.openapi`. Keeps the current list when neither answers. Returns the source used.
   */
  async refreshMethodVersions(signal?: AbortSignal): Promise<'rest.scope.list' | 'rest.documentation.openapi' | 'built-in'> {
    for (const method of ['rest.scope.list', 'rest.documentation.openapi'] as const) {
      try {
        const answer = await this.call(method, {}, { version: 3, write: false, ...(signal === undefined ? {} : { signal }) });
        const methods = methodsFromPortalAnswer(answer.result);
        if (methods.length > 0) {
          this.methodVersions.replace(methods, 'portal');
          return method;
        }
      } catch (error) {
        if (!isBitrixApiError(error)) throw error;
      }
    }
    return 'built-in';
  }

  /** Totals since this client was made: HTTP requests sent (retries included), commands, retries, limiter waits, rows listed. */
  counters(): ClientCounters {
    const now = this.clock.now();
    return { ...this.tally, limiterWaitMs: Math.round(this.waits.totalMs(now)), limiterWaitingMs: Math.round(this.waits.remainingMs(now)) };
  }

  /** Closes the transport (and the limiter's store when this client built it). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.context.transport.close();
      if (this.ownsLimiter) await this.limiter.close();
    })();
    return this.closing;
  }
}

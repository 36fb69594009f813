/**
 * The HTTP form of a REST 3.0 call: always a JSON POST (the query string is ignored there) to
 * `/rest/api/{userId}/{code}/{method}` for a webhook, or `/rest/api/{method}` with `auth` in the body
 * for an application; writes carry `Idempotency-Key`.
 */
export interface V3RequestParts {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export function encodeV3Request(input: {
  baseUrl: string;
  webhook?: { userId: string; code: string };
  /** The application's REST endpoint (`https://portal/rest/`). */
  clientEndpoint?: string;
  accessToken?: string;
  method: string;
  params: unknown;
  idempotencyKey?: string;
  headers: Record<string, string>;
}): V3RequestParts {
  const headers: Record<string, string> = { ...input.headers, 'content-type': 'application/json' };
  if (input.idempotencyKey !== undefined) headers['idempotency-key'] = input.idempotencyKey;
  if (input.webhook !== undefined) {
    const url = `${input.baseUrl}/rest/api/${encodeURIComponent(input.webhook.userId)}/${encodeURIComponent(input.webhook.code)}/${input.method}`;
    return { url, body: JSON.stringify(input.params), headers };
  }
  const endpoint = (input.clientEndpoint ?? `${input.baseUrl}/rest/`).replace(/\/?$/, '/');
  // A batch body is a bare array: the token goes in the Authorization header there.
  if (Array.isArray(input.params)) {
    return {
      url: `${endpoint}api/${input.method}`,
      body: JSON.stringify(input.params),
      headers: { ...headers, authorization: `Bearer ${input.accessToken ?? ''}` },
    };
  }
  return { url: `${endpoint}api/${input.method}`, body: JSON.stringify({ ...(input.params as Record<string, unknown>), auth: input.accessToken }), headers };
}

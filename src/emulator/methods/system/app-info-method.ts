/**
 * `app.info` (scope `basic`), as the server's `appInfo` answers it: an application token gets the
 * application's record (`ID`, `CODE`, `VERSION`, `STATUS`, `INSTALLED`, `PAYMENT_EXPIRED`, `DAYS`,
 * `LANGUAGE_ID`, `LICENSE`, `LICENSE_TYPE`, `LICENSE_FAMILY`), a webhook gets only `{SCOPE, LICENSE}`.
 * Sources: bitrix24/b24restdocs `api-reference/common/system/app-info.md` (fields, the OAuth example)
 * and the rest module's `CRestUtil::appInfo` (the webhook branch: `SCOPE` and `LICENSE` only).
 * The portal's answer carries no `member_id`; the OAuth server's does (`describeOAuthAppInfo`, served
 * by the emulator's `/oauth/app.info`, see handle-token.ts). For a local application `CODE` is its
 * client id (the docs' example: `"CODE": "local.56017020f07e17.98523769"`).
 */
import type { AuthContext, MethodSpec } from '../../types.ts';
import type { PortalState } from '../../portal-state.ts';

/** The emulated portal's plan: a Professional portal with an English base language. */
const LICENSE = { LICENSE: 'en_pro100', LICENSE_TYPE: 'pro100', LICENSE_FAMILY: 'pro' } as const;

/** A small stable local id for an application (the portal numbers its installed applications). */
function localAppId(clientId: string): number {
  let hash = 0;
  for (const character of clientId) hash = (hash * 31 + character.charCodeAt(0)) % 997;
  return hash + 1;
}

/** The application's record as the portal answers it to the application's own token. */
export function describeAppRecord(clientId: string): Record<string, unknown> {
  return {
    ID: localAppId(clientId),
    CODE: clientId,
    VERSION: 1,
    STATUS: 'L',
    INSTALLED: true,
    PAYMENT_EXPIRED: 'N',
    DAYS: null,
    LANGUAGE_ID: 'en',
    LICENSE: LICENSE.LICENSE,
    LICENSE_TYPE: LICENSE.LICENSE_TYPE,
    LICENSE_FAMILY: LICENSE.LICENSE_FAMILY,
  };
}

/**
 * The OAuth server's answer (`server_endpoint` + `app.info`), which the docs name as the trusted
 * source of an application's status (settings/oauth/simple-way.md: "to obtain a trusted value, use
 * the method oauth.bitrix.info/rest/app.info"). Its fields are not documented one by one; the
 * emulator answers the portal's record plus what identifies the install: `client_id`, `member_id`,
 * `domain`, `scope` and `user_id`, named as in the token answer.
 */
export function describeOAuthAppInfo(input: { clientId: string; portal: PortalState; scopes: Iterable<string>; userId: number }): Record<string, unknown> {
  return {
    ...describeAppRecord(input.clientId),
    client_id: input.clientId,
    member_id: input.portal.memberId,
    domain: input.portal.domain,
    scope: [...input.scopes].join(','),
    user_id: input.userId,
  };
}

export function appInfoResult(auth: AuthContext): Record<string, unknown> {
  if (auth.type === 'webhook' || auth.appId === undefined) return { SCOPE: Array.from(auth.scopes), LICENSE: LICENSE.LICENSE };
  return describeAppRecord(auth.appId);
}

export function appInfoMethod(): MethodSpec {
  return { name: 'app.info', scope: 'basic', kind: 'read', handler: ({ auth }) => ({ result: appInfoResult(auth) }) };
}

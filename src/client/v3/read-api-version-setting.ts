/** `B24_API_VERSION`: the REST version of calls that name none: `auto` (default), `2` or `3` (issue 13). */
import type { ApiVersionChoice } from './method-versions.ts';
import { parseApiVersionChoice } from './method-versions.ts';
import { ConnectionConfigError } from '../../errors/index.ts';

export function readApiVersionSetting(env: Readonly<Record<string, string | undefined>>): ApiVersionChoice {
  const raw = env.B24_API_VERSION;
  if (raw === undefined || raw === '') return 'auto';
  const choice = parseApiVersionChoice(raw.trim().toLowerCase());
  if (choice === undefined) {
    throw new ConnectionConfigError({
      setting: 'B24_API_VERSION',
      code: 'INVALID_SETTING',
      detail: `"${raw}" is not auto, 2 or 3`,
      hint: 'Set B24_API_VERSION=auto (default: v3 where the method exists there), 2 or 3.',
    });
  }
  return choice;
}

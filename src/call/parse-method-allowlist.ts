/** `--method-allowlist a.b,c.*` → patterns, validated once. */
import { RefusalError } from '../errors/index.ts';

const patternShape = /^[A-Za-z0-9_*]+(\.[A-Za-z0-9_*]+)*$/;

/**
 * Splits a comma list of method patterns (`crm.lead.*`, `user.get`, `*` anywhere), trimmed and
 * deduplicated case-insensitively. Absent or blank → no patterns. A pattern with other characters
 * is refused (`ALLOWLIST_INVALID`), naming it.
 */
export function parseMethodAllowlist(text: string | undefined): string[] {
  if (text === undefined) return [];
  const patterns: string[] = [];
  const invalid: string[] = [];
  for (const word of text.split(',')) {
    const pattern = word.trim();
    if (pattern === '') continue;
    if (!patternShape.test(pattern)) invalid.push(pattern);
    else if (!patterns.some((known) => known.toLowerCase() === pattern.toLowerCase())) patterns.push(pattern);
  }
  if (invalid.length > 0) {
    throw new RefusalError(`--method-allowlist: ${invalid.map((pattern) => JSON.stringify(pattern)).join(', ')} is not a method pattern (ALLOWLIST_INVALID).`, {
      code: 'ALLOWLIST_INVALID',
      hint: 'Give dotted method names or patterns separated by commas, e.g. --method-allowlist crm.lead.get,user.*',
      subject: '--method-allowlist',
      details: { invalid },
    });
  }
  return patterns;
}

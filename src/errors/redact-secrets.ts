/**
 * Masks secrets in any text that may reach a log, an error, an audit row or `--json` output.
 * Two layers: known secret values registered at start-up (webhook code, tokens, client secret, in
 * plain and URL-encoded forms), and patterns that look like secrets wherever they come from.
 */
const MASK = '***';
const knownSecrets = new Set<string>();

/** Registers a secret value so every later redaction masks it (plain and URL-encoded forms). */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < 6) return;
  knownSecrets.add(value);
  const encoded = encodeURIComponent(value);
  if (encoded !== value) knownSecrets.add(encoded);
}

const SECRET_PATTERNS: Array<[RegExp, string]> = [
  // Webhook URLs: /rest/<user>/<code>/ and /rest/api/<user>/<code>/
  [/(\/rest\/(?:api\/)?[^/\s?#]+\/)([A-Za-z0-9]{8,})(?=\/)/g, `$1${MASK}`],
  // Token-bearing parameters in query strings, form bodies and JSON.
  [
    /((?:^|[?&\s"'{,])(?:auth|access_token|refresh_token|client_secret|application_token|ap|AUTH_ID|REFRESH_ID|APPLICATION_TOKEN)(?:"\s*:\s*"|=))([^&"'\s,}]+)/g,
    `$1${MASK}`,
  ],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, `$1${MASK}`],
];

export function redactSecrets(text: string): string {
  let result = text;
  for (const secret of knownSecrets) {
    if (result.includes(secret)) result = result.split(secret).join(MASK);
  }
  for (const [pattern, replacement] of SECRET_PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

/**
 * A Redis URL as it may be shown: the password masked, so `redis://:s3cret@cache:6379/0` prints as
 * `redis://:***@cache:6379/0`. Text that is not a URL is shown as `(not a URL)` rather than echoed: it
 * may be a password pasted in the wrong place.
 */
export function maskRedisUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return '(not a URL)';
  }
  if (url.password !== '') url.password = '***';
  return url.toString().replace(/\/$/, '');
}

/**
 * The request's media type, lower-cased and without parameters (`application/json; charset=utf-8` →
 * `application/json`); '' when there is no Content-Type. Providers that post both form and JSON bodies
 * (Twilio, Mailgun) decide by it how the body is signed.
 *
 * @example
 * mediaType({ 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' });
 * // 'application/x-www-form-urlencoded'
 */
export function mediaType(headers: Readonly<Record<string, string>>): string {
  const raw = headers['content-type'];
  if (raw === undefined) return '';
  const end = raw.indexOf(';');
  return (end === -1 ? raw : raw.slice(0, end)).trim().toLowerCase();
}

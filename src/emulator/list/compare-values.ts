/**
 * How a portal's database compares a stored value with a filter value: numerically when both sides
 * are numbers or numeric strings, as instants when both are dates, otherwise as text (case-insensitive
 * for ordering and LIKE, as MySQL's default collation). Empty values (null, '') are equal to each other
 * and never satisfy an ordering comparison.
 */

const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/;
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || value === '' || value === false;
}

export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMERIC.test(value)) return Number(value);
  return undefined;
}

/** Milliseconds of an ISO-like date string; a date without an offset is read as UTC. */
export function toDateMs(value: unknown): number | undefined {
  if (typeof value !== 'string' || !DATE_LIKE.test(value)) return undefined;
  let text = value.replace(' ', 'T');
  if (text.length === 10) text += 'T00:00:00';
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(text)) text += 'Z';
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function asText(value: unknown): string {
  if (value === true) return 'Y';
  if (value === false || value === null || value === undefined) return '';
  return String(value);
}

/** Negative, zero or positive like a sort comparator; undefined when either side is empty. */
export function compareValues(left: unknown, right: unknown): number | undefined {
  if (isEmptyValue(left) || isEmptyValue(right)) return undefined;
  const leftNumber = toNumber(left);
  const rightNumber = toNumber(right);
  if (leftNumber !== undefined && rightNumber !== undefined) return leftNumber - rightNumber;
  const leftDate = typeof left === 'number' ? left : toDateMs(left);
  const rightDate = typeof right === 'number' ? right : toDateMs(right);
  if (leftDate !== undefined && rightDate !== undefined) return leftDate - rightDate;
  const leftText = asText(left).toLowerCase();
  const rightText = asText(right).toLowerCase();
  return leftText < rightText ? -1 : leftText > rightText ? 1 : 0;
}

function isTruthyFlag(value: unknown): boolean {
  return value === true || value === 1 || value === 'Y' || value === 'y' || value === '1' || value === 'true';
}

/** Equality as the portal's `=` filter sees it. */
export function valuesEqual(stored: unknown, wanted: unknown): boolean {
  if (typeof stored === 'boolean') return stored === isTruthyFlag(wanted);
  if (isEmptyValue(stored) || isEmptyValue(wanted)) return isEmptyValue(stored) && isEmptyValue(wanted);
  const storedNumber = toNumber(stored);
  const wantedNumber = toNumber(wanted);
  if (storedNumber !== undefined && wantedNumber !== undefined) return storedNumber === wantedNumber;
  if (typeof stored === 'number') {
    const wantedDate = toDateMs(wanted);
    if (wantedDate !== undefined) return stored === wantedDate;
  }
  return asText(stored) === asText(wanted);
}

/** Sort order for `order`: empty values first ascending, as MySQL puts NULLs. */
export function compareForSort(left: unknown, right: unknown): number {
  const leftEmpty = isEmptyValue(left);
  const rightEmpty = isEmptyValue(right);
  if (leftEmpty || rightEmpty) return leftEmpty === rightEmpty ? 0 : leftEmpty ? -1 : 1;
  return compareValues(left, right) ?? 0;
}

/**
 * A LIKE pattern as a regular expression. With `explicit` the value carries its own `%` and `_`
 * wildcards (`=%`, `%=`, `!=%`); without, it is a plain substring (`%`, `!%`).
 */
export function likePattern(value: unknown, explicit: boolean): RegExp {
  const text = asText(value);
  if (!explicit) return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'is');
  let source = '';
  for (const character of text) {
    if (character === '%') source += '.*';
    else if (character === '_') source += '.';
    else source += character.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

export function likeMatches(stored: unknown, pattern: RegExp): boolean {
  if (isEmptyValue(stored)) return false;
  return pattern.test(asText(stored));
}

/**
 * Reading method parameters the way PHP handlers do: values may be strings even for numbers (query
 * and form encoding), keys may come in either case where the portal accepts both.
 */
import type { MethodCall, Params } from '../types.ts';
import { toInteger } from './crm/crm-values.ts';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The first of `names` present in `params`. */
export function pickParam(params: Params, ...names: string[]): unknown {
  for (const name of names) if (params[name] !== undefined) return params[name];
  return undefined;
}

/** A parameter whatever the case of its key (`array_change_key_case`). */
export function pickParamAnyCase(params: Params, name: string): unknown {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(params)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** A positive integer, or undefined. */
export function positiveInteger(value: unknown): number | undefined {
  const number = toInteger(value);
  return number !== undefined && number > 0 ? number : undefined;
}

/**
 * A PHP array parameter as an object: objects stay, lists become index-keyed objects (PHP sees
 * `[]` and `{}` alike), anything else is undefined.
 */
export function asPhpArray(value: unknown): Record<string, unknown> | undefined {
  if (isPlainObject(value)) return value;
  if (Array.isArray(value)) return Object.fromEntries(value.map((item, index) => [String(index), item]));
  return undefined;
}

/** A list parameter (`select`): arrays stay, objects give their values, a scalar is one item. */
export function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isPlainObject(value)) return Object.values(value);
  if (value === undefined || value === null || value === '') return [];
  return [value];
}

/** The `auth_connector` sent with a call, '' without (protocol.md §8). */
export function authConnectorOf(call: MethodCall): string {
  const value = pickParamAnyCase(call.params, 'auth_connector');
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

export function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : String(value);
}

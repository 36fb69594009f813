/**
 * Inputs declared `secret: true` (an API key, a connector's password): their values live only in the
 * memory of the process that runs the chain. What is stored (the run, its plan, a fleet job) holds a
 * marker with a digest instead, `{"$secret": "sha256:…"}`, so a resume can tell the right value from a
 * wrong one without keeping it; the value comes back from the environment: `B24_INPUT_<NAME>`.
 */
import { createHash } from 'node:crypto';
import { RefusalError, registerSecret } from '../errors/index.ts';
import { canonicalJson } from '../util/index.ts';
import type { ChainDefinition } from './chain-model.ts';
import { coerceInputText } from './coerce-input-value.ts';

export interface SecretMarker {
  $secret: string;
}

function digestOf(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 32)}`;
}

export function isSecretMarker(value: unknown): value is SecretMarker {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    typeof (value as SecretMarker).$secret === 'string' &&
    Object.keys(value).length === 1
  );
}

/** The environment variable a secret input is read from on resume: `B24_INPUT_API_KEY` for `apiKey`/`api_key`. */
export function secretInputVariable(name: string): string {
  return `B24_INPUT_${name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase()}`;
}

function registerValue(value: unknown): void {
  if (typeof value === 'string') registerSecret(value);
  else if (value !== null && value !== undefined) {
    registerSecret(JSON.stringify(value));
    if (typeof value === 'object') for (const item of Object.values(value as Record<string, unknown>)) if (typeof item === 'string') registerSecret(item);
  }
}

/** The inputs as they may be stored: each secret value replaced by its marker (and registered for redaction). */
export function maskSecretInputs(chain: ChainDefinition, inputs: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const masked: Record<string, unknown> = { ...inputs };
  for (const input of chain.inputs) {
    if (input.secret !== true || !Object.hasOwn(inputs, input.name) || isSecretMarker(inputs[input.name])) continue;
    registerValue(inputs[input.name]);
    masked[input.name] = { $secret: digestOf(inputs[input.name]) } satisfies SecretMarker;
  }
  return masked;
}

/**
 * Stored inputs made whole again: each marker replaced by the value of `B24_INPUT_<NAME>` in `env`, which
 * must be the value the run started with. Throws `SECRET_INPUT_REQUIRED` / `SECRET_INPUT_MISMATCH`
 * (exit 2) before anything is sent.
 */
export function restoreSecretInputs(
  chain: ChainDefinition,
  stored: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, unknown> {
  const restored: Record<string, unknown> = { ...stored };
  for (const input of chain.inputs) {
    const marker = stored[input.name];
    if (!isSecretMarker(marker)) continue;
    const variable = secretInputVariable(input.name);
    const text = env[variable];
    if (text === undefined || text === '') {
      throw new RefusalError(`input ${input.name} is secret and was not stored; set ${variable} to the value the run started with (SECRET_INPUT_REQUIRED).`, {
        code: 'SECRET_INPUT_REQUIRED',
        hint: `Export ${variable}=... in this shell (or the service's environment), then run the command again. Nothing was sent.`,
        subject: input.name,
      });
    }
    const coerced = coerceInputText(input.type, text);
    const value = coerced.ok ? coerced.value : text;
    if (!coerced.ok || digestOf(value) !== marker.$secret) {
      throw new RefusalError(`input ${input.name}: ${variable} is not the value the run started with (SECRET_INPUT_MISMATCH).`, {
        code: 'SECRET_INPUT_MISMATCH',
        hint: `Set ${variable} to the value of the first run; a different value means a different run: start a new one.`,
        subject: input.name,
      });
    }
    registerValue(value);
    restored[input.name] = value;
  }
  return restored;
}

import { B24ChainError } from './b24chain-error.ts';

/** The connection settings (environment, profile, options) are missing or wrong. */
export class ConnectionConfigError extends B24ChainError {
  override name = 'ConnectionConfigError';
  /** The setting at fault (`B24_DOMAIN`, `profile "prod"`...). */
  readonly setting: string;

  constructor(data: { setting: string; code: string; detail: string; hint: string; cause?: unknown }) {
    super(`${data.setting}: ${data.detail} (${data.code}).`, {
      code: data.code,
      hint: data.hint,
      ...(data.cause === undefined ? {} : { cause: data.cause }),
    });
    this.setting = data.setting;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), setting: this.setting };
  }
}

export function isConnectionConfigError(value: unknown): value is ConnectionConfigError {
  return value instanceof ConnectionConfigError || (value instanceof Error && value.name === 'ConnectionConfigError');
}

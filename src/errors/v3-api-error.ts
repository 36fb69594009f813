import { BitrixApiError, type BitrixApiErrorData } from './bitrix-api-error.ts';

export interface V3FieldProblem {
  field: string;
  message: string;
}

/**
 * A REST 3.0 error (`{"error": {code, message, validation[]}}`) as a `BitrixApiError`, carrying the
 * field-level validation messages; the message names each field.
 */
export class V3ApiError extends BitrixApiError {
  override name = 'BitrixApiError';
  readonly validation: readonly V3FieldProblem[];

  constructor(data: BitrixApiErrorData & { validation: readonly V3FieldProblem[] }) {
    const fields = data.validation.map((problem) => `${problem.field}: ${problem.message || 'invalid'}`).join('; ');
    super({ ...data, description: fields === '' ? data.description : `${data.description} (${fields})` });
    this.validation = [...data.validation];
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), version: 3, validation: this.validation };
  }
}

export function isV3ApiError(value: unknown): value is V3ApiError {
  return value instanceof V3ApiError || (value instanceof Error && 'validation' in value && 'bitrixCode' in value);
}

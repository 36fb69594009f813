/** A REST 3.0 failure: `{"error": {code, message, validation?}}` with a 4xx status (protocol.md §6). */
export interface V3Validation {
  field: string;
  message: string;
}

export class V3Error extends Error {
  override name = 'V3Error';
  constructor(
    /** The suffix after `BITRIX_REST_V3_EXCEPTION_`, e.g. `ENTITYNOTFOUNDEXCEPTION`. */
    readonly suffix: string,
    readonly detail: string,
    readonly status = 400,
    readonly validation: V3Validation[] = [],
  ) {
    super(`${suffix}: ${detail}`);
  }

  get code(): string {
    return `BITRIX_REST_V3_EXCEPTION_${this.suffix}`;
  }

  body(): { error: { code: string; message: string; validation?: V3Validation[] } } {
    return { error: { code: this.code, message: this.detail, ...(this.validation.length > 0 ? { validation: this.validation } : {}) } };
  }
}

export function validationError(field: string, message: string): V3Error {
  return new V3Error('VALIDATION_REQUESTVALIDATIONEXCEPTION', 'Error validating the request object', 400, [{ field, message }]);
}

export { B24ChainError, isB24ChainError, type B24ChainErrorOptions } from './b24chain-error.ts';
export { redactSecrets, registerSecret } from './redact-secrets.ts';

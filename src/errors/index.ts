export { B24ChainError, isB24ChainError, type B24ChainErrorOptions } from './b24chain-error.ts';
export { redactSecrets, registerSecret } from './redact-secrets.ts';
export { RefusalError, isRefusalError, type RefusalErrorOptions } from './refusal-error.ts';
export { ChainFileError, ChainValidationError, isChainFileError, isChainValidationError, formatChainFileProblem, type ChainFileProblem } from './chain-file-error.ts';

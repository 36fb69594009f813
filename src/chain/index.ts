export type {
  AssertStep,
  BatchStepCommand,
  BatchStep,
  CallStep,
  ChainDefinition,
  ChainInput,
  ChainMethodUse,
  ChainOutput,
  ChainStep,
  ChainSummary,
  ForEachStep,
  InputType,
  ListStep,
  MethodRisk,
  OnError,
  RetryPolicy,
  SourcePosition,
  StepKind,
} from './chain-model.ts';
export { STEP_KINDS, STEP_OUTPUT_FIELDS, SUB_STEP_OUTPUT_FIELDS, INPUT_TYPES, ON_ERROR_VALUES, DEFAULT_ON_ERROR } from './chain-model.ts';
export { validateChainFile, validateChainSource, loadValidChain, type ValidationReport } from './validate-chain.ts';
export { loadChainSource, type LoadedChainDocument } from './load-chain-file.ts';
export { checkChainSchema, readChainSchema, CHAIN_SCHEMA_URL } from './check-chain-schema.ts';
export { checkChainSemantics } from './check-chain-semantics.ts';
export { summarizeChain, listChainMethods } from './summarize-chain.ts';
export { parseInputAssignments, resolveChainInputs } from './resolve-chain-inputs.ts';
export { isSecretMarker, maskSecretInputs, restoreSecretInputs, secretInputVariable, type SecretMarker } from './secret-inputs.ts';
export { coerceInputText, checkInputValue } from './coerce-input-value.ts';
export * from './expressions/index.ts';

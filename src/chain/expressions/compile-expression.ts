/**
 * JSONata compilation, once per distinct source (cached). JSONata evaluates only its own language:
 * no `eval`, no `new Function`, no host functions are registered, and property lookups never reach
 * inherited members (`constructor`, `__proto__`), so an expression cannot touch the process or files.
 */
import jsonata from 'jsonata';

export type CompiledExpression = jsonata.Expression;

/** Limits on one evaluation: a runaway recursion or loop fails instead of hanging the run. */
export const EVALUATION_LIMITS = { timeout: 1_000, stack: 500 } as const satisfies jsonata.JsonataOptions;

export interface ExpressionSyntaxProblem {
  /** JSONata's error code (`S0201`...). */
  jsonataCode: string;
  /** 0-based character offset in the source, when JSONata gives one. */
  offset: number | undefined;
  message: string;
}

export type CompileOutcome = { ok: true; compiled: CompiledExpression; ast: jsonata.ExprNode } | { ok: false; problem: ExpressionSyntaxProblem };

const MAX_CACHED = 5_000;
const cache = new Map<string, CompileOutcome>();

interface JsonataErrorShape {
  code?: unknown;
  position?: unknown;
  token?: unknown;
  message?: unknown;
}

function describeSyntaxError(error: unknown): ExpressionSyntaxProblem {
  const shape: JsonataErrorShape = typeof error === 'object' && error !== null ? (error as JsonataErrorShape) : {};
  const message = typeof shape.message === 'string' ? shape.message : String(error);
  return {
    jsonataCode: typeof shape.code === 'string' ? shape.code : 'S0000',
    offset: typeof shape.position === 'number' ? shape.position : undefined,
    message,
  };
}

/** Compiles (or returns the cached compilation of) one JSONata source. Never throws. */
export function compileExpression(source: string): CompileOutcome {
  const cached = cache.get(source);
  if (cached) return cached;
  let outcome: CompileOutcome;
  try {
    const compiled = jsonata(source, EVALUATION_LIMITS);
    outcome = { ok: true, compiled, ast: compiled.ast() };
  } catch (error) {
    outcome = { ok: false, problem: describeSyntaxError(error) };
  }
  if (cache.size >= MAX_CACHED) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(source, outcome);
  return outcome;
}

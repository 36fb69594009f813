/**
 * Builds the typed `ChainDefinition` from a document that passed the schema: positions from the
 * source index, templates compiled and analysed, risk classes from the method catalog.
 */
import type { ChainFileProblem } from '../errors/index.ts';
import { classifyMethodRisk } from '../protocol/index.ts';
import type {
  BatchStepCommand,
  CallStep,
  ChainDefinition,
  ChainInput,
  ChainOutput,
  ChainStep,
  InputType,
  OnError,
  RetryPolicy,
  SourcePosition,
} from './chain-model.ts';
import { DEFAULT_ON_ERROR } from './chain-model.ts';
import { buildStringTemplate, buildTemplate, type TemplateContext } from './expressions/build-template.ts';
import type { ChainExpression, ValueTemplate } from './expressions/template-model.ts';
import type { SourceIndex } from './source-index.ts';
import { toPointer } from './source-index.ts';

/** The document's shape once the schema accepted it. */
export interface RawStep {
  id: string;
  description?: string;
  if?: string | boolean;
  retry?: { attempts: number; delay_ms?: number; max_delay_ms?: number; backoff?: 'fixed' | 'exponential' };
  on_error?: OnError;
  call?: string;
  list?: string;
  for_each?: string;
  batch?: Record<string, { method: string; params?: Record<string, unknown> }>;
  assert?: string | boolean;
  params?: Record<string, unknown>;
  as?: string;
  key?: string | number;
  concurrency?: number;
  version?: 2 | 3 | 'auto';
  do?: RawStep[];
  halt?: boolean;
  message?: string;
}

export interface RawChain {
  version: 1;
  name: string;
  description?: string;
  packs?: string[];
  api_version?: 2 | 3 | 'auto';
  inputs?: Record<string, { type: InputType; default?: unknown; description?: string; required?: boolean; secret?: boolean }>;
  steps: RawStep[];
  outputs?: Record<string, unknown>;
}

class ModelBuilder {
  readonly problems: ChainFileProblem[] = [];
  private readonly context: TemplateContext;

  constructor(
    private readonly index: SourceIndex,
    private readonly file: string,
    private readonly apiVersion?: 2 | 3 | 'auto',
  ) {
    this.context = {
      file,
      expressionPosition: (pointer, occurrence) => index.expressionPosition(pointer, occurrence),
      report: (problem) => this.problems.push(problem),
    };
  }

  private at(segments: readonly (string | number)[]): SourcePosition {
    return this.index.valuePosition(toPointer(segments));
  }

  private template(value: unknown, segments: readonly (string | number)[]): ValueTemplate {
    return buildTemplate(value, toPointer(segments), this.context);
  }

  /**
   * A field that must be one expression (`if`, `assert`, `for_each`): a boolean literal becomes the
   * expression `true`/`false`; anything else that is not exactly one `${{ }}` is reported.
   */
  condition(value: string | boolean, segments: readonly (string | number)[], field: string): ChainExpression {
    const position = this.at(segments);
    if (typeof value === 'boolean') {
      return {
        source: String(value),
        text: String(value),
        file: this.file,
        position,
        analysis: { references: [], roots: [], functions: [], unknownFunctions: [], dynamic: false },
      };
    }
    const template = buildStringTemplate(value, toPointer(segments), this.context);
    if (template.kind === 'expression') return template.expression;
    this.problems.push({
      file: this.file,
      line: position.line,
      column: position.column,
      pointer: position.pointer,
      code: 'EXPRESSION_REQUIRED',
      detail: `"${field}" must be exactly one "\${{ }}" expression, found ${JSON.stringify(value)}`,
      hint: `Write e.g. ${field}: "\${{ inputs.enabled }}"; text around an expression always reads as true.`,
    });
    return {
      source: 'false',
      text: value,
      file: this.file,
      position,
      analysis: { references: [], roots: [], functions: [], unknownFunctions: [], dynamic: false },
    };
  }

  private retry(raw: RawStep['retry'], segments: readonly (string | number)[]): RetryPolicy | undefined {
    if (!raw) return undefined;
    return {
      attempts: raw.attempts,
      ...(raw.delay_ms === undefined ? {} : { delayMs: raw.delay_ms }),
      ...(raw.max_delay_ms === undefined ? {} : { maxDelayMs: raw.max_delay_ms }),
      ...(raw.backoff === undefined ? {} : { backoff: raw.backoff }),
      position: this.at([...segments, 'retry']),
    };
  }

  /** The step's REST version, else the chain's `api_version` (REST 3.0, issue 13). */
  private version(raw: RawStep, inherited?: 2 | 3 | 'auto'): { version?: 2 | 3 | 'auto' } {
    const version = raw.version ?? inherited ?? this.apiVersion;
    return version === undefined ? {} : { version };
  }

  private common(raw: RawStep, segments: readonly (string | number)[]) {
    const retry = this.retry(raw.retry, segments);
    return {
      id: raw.id,
      position: this.at(segments),
      ...(raw.description === undefined ? {} : { description: raw.description }),
      ...(raw.if === undefined ? {} : { if: this.condition(raw.if, [...segments, 'if'], 'if') }),
      ...(retry ? { retry } : {}),
      onError: raw.on_error ?? DEFAULT_ON_ERROR,
    };
  }

  private callStep(
    raw: RawStep,
    segments: readonly (string | number)[],
    method: string,
    inherited?: { retry?: RetryPolicy; onError: OnError; version?: 2 | 3 | 'auto' },
  ): CallStep {
    const common = this.common(raw, segments);
    const retry = common.retry ?? inherited?.retry;
    return {
      ...common,
      ...(retry ? { retry } : {}),
      onError: raw.on_error ?? inherited?.onError ?? DEFAULT_ON_ERROR,
      kind: 'call',
      method,
      params: this.template(raw.params ?? {}, [...segments, 'params']),
      risk: classifyMethodRisk(method, raw.params),
      methodPosition: this.at([...segments, 'call']),
      ...this.version(raw, inherited?.version),
    };
  }

  step(raw: RawStep, segments: readonly (string | number)[]): ChainStep {
    if (raw.call !== undefined) return this.callStep(raw, segments, raw.call);
    const common = this.common(raw, segments);
    if (raw.list !== undefined) {
      return {
        ...common,
        kind: 'list',
        method: raw.list,
        params: this.template(raw.params ?? {}, [...segments, 'params']),
        risk: classifyMethodRisk(raw.list, raw.params),
        methodPosition: this.at([...segments, 'list']),
        ...this.version(raw),
      };
    }
    if (raw.for_each !== undefined) {
      const over = this.condition(raw.for_each, [...segments, 'for_each'], 'for_each');
      const purePath = over.analysis.purePath;
      const streamsFrom =
        purePath?.root === 'steps' && purePath.path.length === 2 && purePath.path[1] === 'items' && typeof purePath.path[0] === 'string'
          ? purePath.path[0]
          : undefined;
      const inherited = {
        ...(common.retry ? { retry: common.retry } : {}),
        onError: common.onError,
        ...(raw.version === undefined ? {} : { version: raw.version }),
      };
      return {
        ...common,
        kind: 'for_each',
        over,
        ...(streamsFrom === undefined ? {} : { streamsFrom }),
        as: raw.as ?? 'item',
        ...(raw.key === undefined ? {} : { key: this.template(typeof raw.key === 'number' ? String(raw.key) : raw.key, [...segments, 'key']) }),
        ...(raw.concurrency === undefined ? {} : { concurrency: raw.concurrency }),
        ...this.version(raw),
        do: (raw.do ?? []).map((subStep, position) => this.callStep(subStep, [...segments, 'do', position], subStep.call ?? '', inherited)),
      };
    }
    if (raw.batch !== undefined) {
      const commands = Object.entries(raw.batch).map(([name, command]): BatchStepCommand => {
        const commandSegments = [...segments, 'batch', name];
        return {
          name,
          method: command.method,
          params: this.template(command.params ?? {}, [...commandSegments, 'params']),
          risk: classifyMethodRisk(command.method, command.params),
          position: this.index.keyPosition(toPointer(commandSegments)),
          methodPosition: this.at([...commandSegments, 'method']),
        };
      });
      return { ...common, kind: 'batch', commands, halt: raw.halt ?? false, ...this.version(raw) };
    }
    const { retry: _retry, onError: _onError, ...assertCommon } = common;
    return {
      ...assertCommon,
      kind: 'assert',
      condition: this.condition(raw.assert ?? false, [...segments, 'assert'], 'assert'),
      message: this.template(raw.message ?? 'assertion failed', [...segments, 'message']),
    };
  }

  inputs(raw: RawChain['inputs']): ChainInput[] {
    return Object.entries(raw ?? {}).map(([name, input]) => ({
      name,
      type: input.type,
      required: input.required ?? input.default === undefined,
      ...(input.default === undefined ? {} : { default: input.default }),
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(input.secret === true ? { secret: true } : {}),
      position: this.index.keyPosition(toPointer(['inputs', name])),
    }));
  }

  outputs(raw: RawChain['outputs']): ChainOutput[] {
    return Object.entries(raw ?? {}).map(([name, value]) => ({
      name,
      value: this.template(value, ['outputs', name]),
      position: this.index.keyPosition(toPointer(['outputs', name])),
    }));
  }
}

export interface BuiltChain {
  chain: ChainDefinition;
  /** Expression syntax problems and fields that must be one expression. */
  problems: ChainFileProblem[];
}

/** The typed model of a schema-valid document. */
export function buildChainModel(document: RawChain, index: SourceIndex, file: string): BuiltChain {
  const builder = new ModelBuilder(index, file, document.api_version);
  const chain: ChainDefinition = {
    version: 1,
    name: document.name,
    ...(document.description === undefined ? {} : { description: document.description }),
    packs: document.packs ?? ['core'],
    inputs: builder.inputs(document.inputs),
    steps: document.steps.map((step, position) => builder.step(step, ['steps', position])),
    outputs: builder.outputs(document.outputs),
    file,
  };
  return { chain, problems: builder.problems };
}

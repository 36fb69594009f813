/**
 * The second validation layer (DESIGN.md §3): what the schema cannot say. Step ids, references,
 * packs, write keys, nested batches, input defaults. Pure: the model in, problems out.
 */
import type { ChainFileProblem } from '../errors/index.ts';
import { listPacks, methodAllowedByPacks, packsForMethod } from '../protocol/index.ts';
import { isBatchMethod } from '../protocol/index.ts';
import type { ChainDefinition, ChainStep, SourcePosition } from './chain-model.ts';
import { suggestCatalogMethod } from './check-method-names.ts';
import { listMethodSites } from './list-method-sites.ts';
import { ReferenceChecker, type ReferenceScope } from './check-references.ts';
import { checkInputValue } from './coerce-input-value.ts';
import { compileExpression } from './expressions/compile-expression.ts';
import { listTemplateExpressions, type ChainExpression, type ValueTemplate } from './expressions/template-model.ts';
import { suggestionHint } from './suggest-name.ts';

const RESERVED_NAMES = ['inputs', 'steps'];

class SemanticChecker {
  readonly problems: ChainFileProblem[] = [];
  private readonly references: ReferenceChecker;

  constructor(private readonly chain: ChainDefinition) {
    this.references = new ReferenceChecker(chain);
  }

  private report(position: SourcePosition, code: string, detail: string, hint: string): void {
    this.problems.push({ file: this.chain.file, line: position.line, column: position.column, pointer: position.pointer, code, detail, hint });
  }

  private expressions(template: ValueTemplate | ChainExpression | undefined, scope: ReferenceScope): void {
    if (!template) return;
    const list = 'kind' in template ? listTemplateExpressions(template) : [template];
    for (const expression of list) this.references.check(expression, scope);
  }

  checkIds(): void {
    const seen = new Map<string, SourcePosition>();
    const claim = (id: string, position: SourcePosition, what: string): void => {
      if (RESERVED_NAMES.includes(id)) {
        this.report(position, 'STEP_ID_RESERVED', `${what} id "${id}" is a reserved name`, `Rename it; "${RESERVED_NAMES.join('" and "')}" start expressions.`);
        return;
      }
      const first = seen.get(id);
      if (first) {
        this.report(
          position,
          'STEP_ID_DUPLICATE',
          `step id "${id}" is already used at line ${first.line}`,
          'Step ids are unique across the chain, sub-steps included: rename one of them.',
        );
        return;
      }
      seen.set(id, position);
    };
    for (const step of this.chain.steps) {
      claim(step.id, step.position, 'step');
      if (step.kind !== 'for_each') continue;
      if (RESERVED_NAMES.includes(step.as)) {
        this.report(
          step.position,
          'STEP_ID_RESERVED',
          `for_each "${step.id}" names its item "${step.as}", a reserved name`,
          'Choose another "as", e.g. "item".',
        );
      }
      for (const subStep of step.do) {
        claim(subStep.id, subStep.position, 'sub-step');
        if (subStep.id === step.as) {
          this.report(
            subStep.position,
            'STEP_ID_RESERVED',
            `sub-step id "${subStep.id}" hides the item name "as: ${step.as}"`,
            'Rename the sub-step or the item.',
          );
        }
      }
    }
  }

  checkPacks(locatePack: (index: number) => SourcePosition): void {
    const known = listPacks().map((pack): string => pack.name);
    this.chain.packs.forEach((pack, index) => {
      if (!known.includes(pack)) this.report(locatePack(index), 'PACK_UNKNOWN', `unknown pack "${pack}"`, suggestionHint(pack, known, 'packs'));
    });
  }

  checkMethods(): void {
    const packs = this.chain.packs.join(', ');
    for (const site of listMethodSites(this.chain)) {
      if (isBatchMethod(site.method)) {
        const detail = site.batched ? `"${site.step}" calls batch inside a batch request` : `step "${site.step}" calls batch directly`;
        this.report(
          site.position,
          'BATCH_NESTED',
          detail,
          site.batched
            ? 'The portal refuses a batch inside a batch: list the commands themselves.'
            : 'Use a batch step ("batch:" with named commands) instead.',
        );
        continue;
      }
      if (!methodAllowedByPacks(site.method, this.chain.packs)) {
        const covering = packsForMethod(site.method);
        if (covering.length === 0) {
          const suggestion = suggestCatalogMethod(site.method);
          this.report(
            site.position,
            'METHOD_UNKNOWN',
            `method ${site.method} is in no pack b24chain knows`,
            suggestion
              ? `Did you mean ${suggestion}? \`chain methods\` lists the catalog.`
              : 'Check the name; `chain methods` lists the catalog and `chain packs` the method patterns of each pack.',
          );
        } else {
          this.report(
            site.position,
            'METHOD_NOT_IN_PACKS',
            `method ${site.method} is not in the chain's packs (${packs})`,
            `Add ${covering.map((pack) => `"${pack}"`).join(' or ')} to "packs:" (\`chain packs\` lists them), or use another method.`,
          );
        }
      }
    }
    for (const step of this.chain.steps) {
      if (step.kind === 'list' && step.risk !== 'read') {
        this.report(
          step.methodPosition,
          'LIST_METHOD_NOT_READ',
          `list step "${step.id}" uses ${step.method}, a ${step.risk} method`,
          'A list step reads pages; call a write with a "call" step or inside a for_each.',
        );
      }
    }
  }

  private checkForEach(step: Extract<ChainStep, { kind: 'for_each' }>, index: number): void {
    const over = step.over.analysis;
    const certainRoots = over.references.filter((reference) => !reference.uncertain).map((reference) => reference.root);
    const badRoots = certainRoots.filter((root) => root !== 'steps' && root !== 'inputs');
    const overCompiles = compileExpression(step.over.source).ok;
    if (overCompiles && (certainRoots.length === 0 || over.dynamic || badRoots.length > 0)) {
      this.report(
        step.over.position,
        'FOR_EACH_SOURCE',
        `for_each "${step.id}" loops over ${step.over.text}, which is not an earlier step or an input`,
        'Loop over an earlier step\'s rows or an input, e.g. "${{ steps.leads.items }}".',
      );
    }
    this.expressions(step.over, { stepIndex: index });
    const writes = step.do.filter((subStep) => subStep.risk !== 'read');
    if (writes.length > 0 && step.key === undefined) {
      const methods = writes.map((subStep) => subStep.method).join(', ');
      this.report(
        step.position,
        'WRITE_WITHOUT_KEY',
        `for_each "${step.id}" writes (${methods}) but has no "key"`,
        `Add a stable item key, e.g. key: "\${{ ${step.as}.ID }}", so a resumed run never writes an item twice.`,
      );
    }
    if (step.key !== undefined) {
      const keyExpressions = listTemplateExpressions(step.key);
      const keyCompiles = keyExpressions.every((expression) => compileExpression(expression.source).ok);
      if (keyCompiles && !keyExpressions.some((expression) => expression.analysis.roots.includes(step.as))) {
        const position = keyExpressions[0]?.position ?? step.position;
        this.report(
          position,
          'KEY_CONSTANT',
          `the key of for_each "${step.id}" does not depend on the item "${step.as}"`,
          `Every item would share one key; use the item, e.g. key: "\${{ ${step.as}.ID }}".`,
        );
      }
      this.expressions(step.key, { stepIndex: index, item: step.as });
    }
    const ids = step.do.map((subStep) => subStep.id);
    step.do.forEach((subStep, current) => {
      const scope: ReferenceScope = { stepIndex: index, item: step.as, siblings: { ids, current, what: 'sub-step' } };
      this.expressions(subStep.if, scope);
      this.expressions(subStep.params, scope);
    });
  }

  checkSteps(): void {
    this.chain.steps.forEach((step, index) => {
      const scope: ReferenceScope = { stepIndex: index };
      this.expressions(step.if, scope);
      switch (step.kind) {
        case 'call':
        case 'list':
          this.expressions(step.params, scope);
          break;
        case 'for_each':
          this.checkForEach(step, index);
          break;
        case 'batch': {
          const names = step.commands.map((command) => command.name);
          step.commands.forEach((command, current) => {
            if (RESERVED_NAMES.includes(command.name))
              this.report(command.position, 'STEP_ID_RESERVED', `batch command "${command.name}" has a reserved name`, 'Rename it.');
            this.expressions(command.params, { stepIndex: index, siblings: { ids: names, current, what: 'batch command' } });
          });
          break;
        }
        case 'assert':
          this.expressions(step.condition, scope);
          this.expressions(step.message, scope);
          break;
      }
    });
    for (const output of this.chain.outputs) this.expressions(output.value, { stepIndex: this.chain.steps.length });
    this.problems.push(...this.references.problems);
  }

  checkInputs(): void {
    for (const input of this.chain.inputs) {
      if (input.default === undefined) continue;
      const problem = checkInputValue(input.type, input.default);
      if (problem)
        this.report(
          input.position,
          'INPUT_DEFAULT_TYPE',
          `the default of input "${input.name}" ${problem}`,
          `Give a default of type ${input.type}, or change "type".`,
        );
    }
  }
}

/**
 * Every semantic problem of a built chain. `locatePack` gives the position of the n-th entry of
 * `packs:` (the model keeps none for packs).
 */
export function checkChainSemantics(
  chain: ChainDefinition,
  locatePack: (index: number) => SourcePosition = () => ({ line: 1, column: 1, pointer: '/packs' }),
): ChainFileProblem[] {
  const checker = new SemanticChecker(chain);
  checker.checkIds();
  checker.checkPacks(locatePack);
  checker.checkInputs();
  checker.checkMethods();
  checker.checkSteps();
  return checker.problems;
}

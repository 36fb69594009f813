/** What a chain may change and what it needs: its writes, destructive steps and scopes. Pure. */
import { scopeForMethod } from '../protocol/index.ts';
import type { ChainDefinition, ChainMethodUse, ChainSummary } from './chain-model.ts';

/** Every method the chain may send, in file order (sub-steps and batch commands included). */
export function listChainMethods(chain: ChainDefinition): ChainMethodUse[] {
  const uses: ChainMethodUse[] = [];
  for (const step of chain.steps) {
    switch (step.kind) {
      case 'call':
      case 'list':
        uses.push({ step: step.id, method: step.method, risk: step.risk, line: step.methodPosition.line, column: step.methodPosition.column });
        break;
      case 'for_each':
        for (const subStep of step.do) {
          uses.push({
            step: subStep.id,
            parent: step.id,
            method: subStep.method,
            risk: subStep.risk,
            line: subStep.methodPosition.line,
            column: subStep.methodPosition.column,
          });
        }
        break;
      case 'batch':
        for (const command of step.commands) {
          uses.push({
            step: step.id,
            command: command.name,
            method: command.method,
            risk: command.risk,
            line: command.methodPosition.line,
            column: command.methodPosition.column,
          });
        }
        break;
      case 'assert':
        break;
    }
  }
  return uses;
}

export function summarizeChain(chain: ChainDefinition): ChainSummary {
  const uses = listChainMethods(chain);
  const scopes = new Set<string>();
  const methodsWithoutScope = new Set<string>();
  for (const use of uses) {
    const scope = scopeForMethod(use.method);
    if (scope === undefined) methodsWithoutScope.add(use.method);
    else scopes.add(scope);
  }
  return {
    writes: uses.filter((use) => use.risk === 'write'),
    destructive: uses.filter((use) => use.risk === 'destructive'),
    scopes: [...scopes].sort(),
    methodsWithoutScope: [...methodsWithoutScope].sort(),
  };
}

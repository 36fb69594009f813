/** Every place a chain names a Bitrix24 method: call and list steps, for_each sub-steps, batch commands. Pure. */
import type { ChainDefinition, SourcePosition } from './chain-model.ts';

export interface MethodSite {
  /** The step id (a sub-step's own id; `step.command` for a batch command). */
  step: string;
  method: string;
  risk: string;
  position: SourcePosition;
  /** Inside a batch request (a sub-step or a batch command). */
  batched: boolean;
}

export function listMethodSites(chain: ChainDefinition): MethodSite[] {
  const sites: MethodSite[] = [];
  for (const step of chain.steps) {
    if (step.kind === 'call' || step.kind === 'list')
      sites.push({ step: step.id, method: step.method, risk: step.risk, position: step.methodPosition, batched: false });
    if (step.kind === 'for_each')
      for (const sub of step.do) sites.push({ step: sub.id, method: sub.method, risk: sub.risk, position: sub.methodPosition, batched: true });
    if (step.kind === 'batch')
      for (const command of step.commands)
        sites.push({ step: `${step.id}.${command.name}`, method: command.method, risk: command.risk, position: command.methodPosition, batched: true });
  }
  return sites;
}

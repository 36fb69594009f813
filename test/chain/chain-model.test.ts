import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dependsOnlyOn, loadValidChain, readChainSchema, renderTemplate, type ChainDefinition, type ChainStep } from '../../src/chain/index.ts';

const fixture = fileURLToPath(new URL('../fixtures/chains/valid/all-step-kinds.yml', import.meta.url));

function stepOf<Kind extends ChainStep['kind']>(chain: ChainDefinition, id: string, kind: Kind): Extract<ChainStep, { kind: Kind }> {
  const step = chain.steps.find((candidate) => candidate.id === id);
  assert.ok(step && step.kind === kind, `no ${kind} step ${id}`);
  return step as Extract<ChainStep, { kind: Kind }>;
}

describe('the chain model', () => {
  it('keeps every step kind with its options and source positions', async () => {
    const chain = await loadValidChain(fixture);
    assert.equal(chain.name, 'all-step-kinds');
    assert.deepEqual(chain.packs, ['core', 'comms']);
    assert.deepEqual(
      chain.steps.map((step) => [step.id, step.kind, step.position.line, step.position.column]),
      [
        ['me', 'call', 11, 5],
        ['leads', 'list', 14, 5],
        ['enough', 'assert', 19, 5],
        ['follow_up', 'for_each', 22, 5],
        ['pair', 'batch', 45, 5],
      ],
    );
    const me = stepOf(chain, 'me', 'call');
    assert.deepEqual(me.retry, {
      attempts: 3,
      delayMs: 500,
      backoff: 'exponential',
      maxDelayMs: 5000,
      position: { line: 13, column: 12, pointer: '/steps/0/retry' },
    });
    assert.equal(me.onError, 'stop');
    assert.equal(me.risk, 'read');
  });

  it('describes inputs with types, defaults and whether they are required', async () => {
    const chain = await loadValidChain(fixture);
    assert.deepEqual(
      chain.inputs.map((input) => [input.name, input.type, input.required, input.default]),
      [
        ['status', 'string', false, 'NEW'],
        ['notify', 'boolean', false, false],
        ['limit', 'integer', false, undefined],
      ],
    );
  });

  it("for_each: sub-steps inherit the loop's on_error unless they set their own; a filtered source is not streamed directly", async () => {
    const chain = await loadValidChain(fixture);
    const loop = stepOf(chain, 'follow_up', 'for_each');
    assert.equal(loop.streamsFrom, undefined);
    assert.equal(loop.concurrency, 2);
    assert.deepEqual(
      loop.do.map((subStep) => [subStep.id, subStep.onError, subStep.risk]),
      [
        ['task', 'dead_letter', 'write'],
        ['comment', 'skip', 'write'],
        ['message', 'dead_letter', 'write'],
      ],
    );
    const message = loop.do[2];
    assert.ok(message?.if);
    // depends on an earlier sub-step's result: cannot be decided before the batch is sent
    assert.equal(dependsOnlyOn(message.if.analysis, ['lead', 'inputs', 'steps']), false);
    assert.deepEqual(message.if.analysis.roots.sort(), ['inputs', 'task']);
  });

  it('batch: named commands in order, halt, and references to earlier commands', async () => {
    const chain = await loadValidChain(fixture);
    const pair = stepOf(chain, 'pair', 'batch');
    assert.equal(pair.halt, true);
    assert.deepEqual(
      pair.commands.map((command) => [command.name, command.method, command.risk]),
      [
        ['newest', 'crm.lead.list', 'read'],
        ['details', 'crm.lead.get', 'read'],
      ],
    );
    const details = pair.commands[1];
    assert.ok(details);
    assert.deepEqual(await renderTemplate(details.params, { newest: { result: [{ ID: '12' }] } }), { id: '12' });
  });

  it('outputs are templates over the steps', async () => {
    const chain = await loadValidChain(fixture);
    const rendered: Record<string, unknown> = {};
    const scope = { steps: { follow_up: { count: 4, failed: 1, skipped: 0 }, pair: { result: { details: { TITLE: 'Newest' } } } } };
    for (const output of chain.outputs) rendered[output.name] = await renderTemplate(output.value, scope);
    assert.deepEqual(rendered, { followed_up: 4, failed: 1, newest_title: 'Newest' });
  });
});

describe('the JSON Schema', () => {
  it('every step field is allowed for at least one step kind, and kinds allow only declared fields', () => {
    const schema = readChainSchema() as {
      definitions: { step: { properties: Record<string, unknown>; allOf: Array<{ then: { propertyNames: { enum: string[] } } }> } };
    };
    const declared = Object.keys(schema.definitions.step.properties).sort();
    const allowed = new Set(schema.definitions.step.allOf.flatMap((rule) => rule.then.propertyNames.enum));
    assert.deepEqual([...allowed].sort(), declared);
  });

  it('the bundled chains point editors at it', () => {
    for (const name of ['lead-to-deal.yml', 'lead-intake.yml']) {
      const text = readFileSync(new URL(`../../chains/core/${name}`, import.meta.url), 'utf8');
      assert.match(text, /^# yaml-language-server: \$schema=\.\.\/\.\.\/schemas\/chain\.schema\.json$/m);
    }
  });
});

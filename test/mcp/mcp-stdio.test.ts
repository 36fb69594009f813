/**
 * `chain mcp` over stdio, driven by the MCP SDK's own client against an emulator process: tools and
 * their schemas, reads, writes that wait for a person (elicitation or `chain approve` from another
 * process), stale plans, `--read-only`, and the audit trail of every step.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { fetchStats, startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.ts';
import { callMethod, listAll } from '../helpers/portal-reader.ts';
import { runCli, webhookEnv } from '../helpers/run-cli.ts';
import { connectStdio, type McpSession } from './helpers/mcp-session.ts';

type ToolResult = CallToolResult & { structuredContent?: Record<string, unknown> };

let emulator: EmulatorProcess;
let folder: string;
let session: McpSession | undefined;
let databaseCount = 0;

function newDatabase(): string {
  databaseCount += 1;
  return join(folder, `state-${databaseCount}.db`);
}

async function call(client: McpSession['client'], name: string, args: Record<string, unknown>): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

function errorCodeOf(result: ToolResult): string | undefined {
  assert.equal(result.isError, true, `expected a tool error, got ${JSON.stringify(result.structuredContent)}`);
  const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
  const json = text.slice(text.indexOf('{'));
  return (JSON.parse(json) as { error: { code: string } }).error.code;
}

async function methodCount(method: string): Promise<number> {
  const stats = (await fetchStats(emulator.url)) as { methods: Record<string, number> };
  return stats.methods[method] ?? 0;
}

async function leadsTitled(title: string): Promise<number> {
  return (await listAll(emulator.webhookUrl, 'crm.lead.list', { filter: { TITLE: title }, select: ['ID'] })).length;
}

async function auditRows(database: string): Promise<Array<Record<string, unknown>>> {
  const result = await runCli(['audit', '--json', '--db', database]);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { rows: Array<Record<string, unknown>> }).rows;
}

describe('chain mcp over stdio', () => {
  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'b24chain-mcp-'));
    emulator = await startEmulatorProcess(['--leads', '60']);
  });
  after(async () => {
    await emulator.stop();
    rmSync(folder, { recursive: true, force: true });
  });
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  it('lists every tool with input and output schemas and truthful annotations', async () => {
    session = await connectStdio(webhookEnv(emulator, newDatabase()));
    const { tools } = await session.client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    assert.deepEqual([...byName.keys()].sort(), [
      'bitrix_call',
      'chain_list',
      'chain_plan',
      'chain_resume',
      'chain_run',
      'chain_status',
      'chain_validate',
      'plan_status',
    ]);
    for (const tool of tools) {
      assert.equal(tool.inputSchema.type, 'object', tool.name);
      assert.equal(tool.outputSchema?.type, 'object', `${tool.name} has an output schema`);
      assert.equal(typeof tool.annotations?.readOnlyHint, 'boolean', tool.name);
      assert.equal(typeof tool.annotations?.destructiveHint, 'boolean', tool.name);
      assert.equal(typeof tool.annotations?.idempotentHint, 'boolean', tool.name);
      assert.equal(typeof tool.annotations?.openWorldHint, 'boolean', tool.name);
    }
    assert.deepEqual(Object.keys(byName.get('bitrix_call')?.inputSchema.properties ?? {}).sort(), ['cursor', 'method', 'params', 'planId']);
    assert.equal(byName.get('bitrix_call')?.annotations?.destructiveHint, true);
    assert.equal(byName.get('chain_run')?.annotations?.readOnlyHint, false);
    assert.equal(byName.get('chain_run')?.annotations?.destructiveHint, true);
    for (const name of ['chain_list', 'chain_validate', 'chain_status', 'plan_status']) {
      assert.equal(byName.get(name)?.annotations?.readOnlyHint, true, name);
      assert.equal(byName.get(name)?.annotations?.openWorldHint, false, name);
    }
    const { resources } = await session.client.listResources();
    const uris = resources.map((resource) => resource.uri);
    for (const uri of [
      'b24chain://packs',
      'b24chain://methods',
      'b24chain://runs',
      'b24chain://plans',
      'b24chain://dead-letters',
      'b24chain://chains/core/lead-intake',
    ])
      assert.ok(uris.includes(uri), uri);
    const packs = await session.client.readResource({ uri: 'b24chain://packs' });
    const text = packs.contents[0] !== undefined && 'text' in packs.contents[0] ? packs.contents[0].text : '';
    assert.deepEqual((JSON.parse(text) as { allowed: string[] }).allowed, ['core']);
  });

  it('a read returns the portal page and a cursor for the next one', async () => {
    session = await connectStdio(webhookEnv(emulator, newDatabase()));
    const expected = await listAll(emulator.webhookUrl, 'crm.lead.list', { select: ['ID', 'TITLE'], order: { ID: 'ASC' } });
    const first = await call(session.client, 'bitrix_call', { method: 'crm.lead.list', params: { select: ['ID', 'TITLE'], order: { ID: 'ASC' } } });
    assert.notEqual(first.isError, true, JSON.stringify(first.content));
    const rows = first.structuredContent?.result as Array<{ ID: string; TITLE: string }>;
    assert.deepEqual(
      rows,
      expected.slice(0, rows.length).map((row) => ({ ID: row.ID, TITLE: row.TITLE })),
    );
    assert.ok(expected.length > rows.length, 'the portal has more than one page');
    assert.equal(first.structuredContent?.next, rows.length);
    const second = await call(session.client, 'bitrix_call', {
      method: 'crm.lead.list',
      params: { select: ['ID', 'TITLE'], order: { ID: 'ASC' } },
      cursor: first.structuredContent?.next,
    });
    assert.equal((second.structuredContent?.result as Array<{ ID: string }>)[0]?.ID, expected[rows.length]?.ID);
  });

  it('a write through bitrix_call waits for a person: refused until `chain approve` in another process, then runs once', async () => {
    const database = newDatabase();
    session = await connectStdio(webhookEnv(emulator, database));
    const adds = await methodCount('crm.lead.add');
    const planned = await call(session.client, 'bitrix_call', { method: 'crm.lead.add', params: { fields: { TITLE: 'MCP approved lead' } } });
    assert.notEqual(planned.isError, true, JSON.stringify(planned.content));
    assert.equal(planned.structuredContent?.status, 'pending_approval');
    assert.equal(planned.structuredContent?.risk, 'write');
    const planId = String(planned.structuredContent?.planId);
    assert.match(String((planned.structuredContent?.plan as { approveCommand: string }).approveCommand), new RegExp(`^chain approve ${planId} --db `));

    assert.equal(errorCodeOf(await call(session.client, 'bitrix_call', { planId })), 'PLAN_NOT_APPROVED');
    assert.equal(
      errorCodeOf(await call(session.client, 'bitrix_call', { method: 'crm.lead.add', params: { fields: { TITLE: 'x' } }, planId })),
      'CALL_ARGUMENTS_CONFLICT',
    );
    assert.equal(await methodCount('crm.lead.add'), adds, 'nothing was written before the approval');

    const noTerminal = await runCli(['approve', planId, '--db', database]);
    assert.equal(noTerminal.code, 2);
    assert.match(noTerminal.stderr, /APPROVAL_NEEDS_TERMINAL/);
    const status = await call(session.client, 'plan_status', { planId });
    assert.equal(status.structuredContent?.state, 'pending');

    const approved = await runCli(['approve', planId, '--yes', '--db', database]);
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stderr, /crm\.lead\.add/, 'the person is shown what would be sent');
    assert.equal((await call(session.client, 'plan_status', { planId })).structuredContent?.state, 'approved');

    const executed = await call(session.client, 'bitrix_call', { planId });
    assert.notEqual(executed.isError, true, JSON.stringify(executed.content));
    assert.equal(executed.structuredContent?.status, 'ok');
    assert.equal(await leadsTitled('MCP approved lead'), 1);
    assert.equal(errorCodeOf(await call(session.client, 'bitrix_call', { planId })), 'PLAN_CONSUMED');
    assert.equal(await methodCount('crm.lead.add'), adds + 1, 'sent exactly once');
    assert.equal((await call(session.client, 'plan_status', { planId })).structuredContent?.state, 'executed');

    const rows = await auditRows(database);
    const steps = rows
      .filter((row) => row.planId === planId)
      .map(
        (row) => `${String(row.method)} ${String(row.outcome)}${row.errorCode ? ` ${String(row.errorCode)}` : ''}${row.via ? ` via ${String(row.via)}` : ''}`,
      );
    assert.deepEqual(steps, [
      'plan.create ok via mcp',
      'mcp:bitrix_call ok via mcp',
      'mcp:bitrix_call refused PLAN_NOT_APPROVED via mcp',
      'mcp:bitrix_call refused CALL_ARGUMENTS_CONFLICT via mcp',
      'mcp:plan_status ok via mcp',
      'plan.approve ok via terminal',
      'mcp:plan_status ok via mcp',
      'crm.lead.add ok',
      'mcp:bitrix_call ok via mcp',
      'mcp:bitrix_call refused PLAN_CONSUMED via mcp',
      'mcp:plan_status ok via mcp',
    ]);
    const approval = rows.find((row) => row.method === 'plan.approve');
    assert.match(String(approval?.actor), /@/, 'who approved: user@host');
    assert.equal(rows.find((row) => row.method === 'mcp:bitrix_call')?.actor, 'test-agent 1.0.0');
    assert.ok(!JSON.stringify(rows).includes('MCP approved lead'), 'the audit trail holds no values');
  });

  it('elicitation: accept executes the plan once; decline rejects it and sends nothing', async () => {
    const database = newDatabase();
    let answer: 'accept' | 'decline' = 'accept';
    session = await connectStdio(webhookEnv(emulator, database), [], () =>
      answer === 'accept' ? { action: 'accept', content: { approve: true } } : { action: 'decline' },
    );
    const adds = await methodCount('crm.lead.add');
    const accepted = await call(session.client, 'bitrix_call', { method: 'crm.lead.add', params: { fields: { TITLE: 'Elicited lead' } } });
    assert.notEqual(accepted.isError, true, JSON.stringify(accepted.content));
    assert.equal(accepted.structuredContent?.status, 'ok');
    assert.equal(session.elicitations.length, 1);
    assert.match(session.elicitations[0]?.params.message ?? '', /crm\.lead\.add once with .*Elicited lead/);
    assert.equal(await leadsTitled('Elicited lead'), 1);
    const acceptedPlan = String(accepted.structuredContent?.planId);
    assert.equal(errorCodeOf(await call(session.client, 'bitrix_call', { planId: acceptedPlan })), 'PLAN_CONSUMED');
    assert.equal(await methodCount('crm.lead.add'), adds + 1);

    answer = 'decline';
    const declined = await call(session.client, 'bitrix_call', { method: 'crm.lead.add', params: { fields: { TITLE: 'Declined lead' } } });
    assert.equal(errorCodeOf(declined), 'PLAN_REJECTED');
    assert.equal(await leadsTitled('Declined lead'), 0);
    assert.equal(await methodCount('crm.lead.add'), adds + 1, 'decline sends nothing');
    const rows = await auditRows(database);
    const decisions = rows.filter((row) => String(row.method).startsWith('plan.approve') || String(row.method).startsWith('plan.reject'));
    assert.deepEqual(
      decisions.map((row) => [row.method, row.via, row.actor]),
      [
        ['plan.approve', 'elicitation', 'person via test-agent 1.0.0'],
        ['plan.reject', 'elicitation', 'person via test-agent 1.0.0'],
      ],
    );
    const declinedPlan = String(rows.find((row) => row.method === 'plan.reject')?.planId);
    assert.equal((await call(session.client, 'plan_status', { planId: declinedPlan })).structuredContent?.state, 'rejected');
    assert.equal(errorCodeOf(await call(session.client, 'bitrix_call', { planId: declinedPlan })), 'PLAN_REJECTED');
  });

  it('a plan is refused as stale when its record changed after planning, naming what changed', async () => {
    const database = newDatabase();
    session = await connectStdio(webhookEnv(emulator, database));
    const [lead] = await listAll(emulator.webhookUrl, 'crm.lead.list', { select: ['ID', 'DATE_MODIFY'], order: { ID: 'ASC' } });
    assert.ok(lead !== undefined);
    const planned = await call(session.client, 'bitrix_call', {
      method: 'crm.lead.update',
      params: { id: Number(lead.ID), fields: { COMMENTS: 'from the agent' } },
    });
    const planId = String(planned.structuredContent?.planId);
    assert.deepEqual((planned.structuredContent?.plan as { targets: string[] }).targets, [`crm.lead ${lead.ID}`]);
    const changed = await callMethod(emulator.webhookUrl, 'crm.lead.update', { id: Number(lead.ID), fields: { TITLE: 'Changed by a colleague' } });
    assert.equal(changed.result, true);
    const updates = await methodCount('crm.lead.update');
    assert.equal((await runCli(['approve', planId, '--yes', '--db', database])).code, 0);

    const stale = await call(session.client, 'bitrix_call', { planId });
    assert.equal(errorCodeOf(stale), 'PLAN_STALE');
    const text = stale.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
    assert.match(text, new RegExp(`crm\\.lead ${lead.ID} changed \\(DATE_MODIFY ${lead.DATE_MODIFY?.replace(/\+/g, '\\+')} → [^)]+\\): TITLE`));
    assert.equal(await methodCount('crm.lead.update'), updates, 'the stale plan sent nothing');
  });

  it('`chain reject` from another process: the plan never runs, and the plans resource says so', async () => {
    const database = newDatabase();
    session = await connectStdio(webhookEnv(emulator, database));
    const planned = await call(session.client, 'bitrix_call', { method: 'crm.lead.add', params: { fields: { TITLE: 'Rejected lead' } } });
    const planId = String(planned.structuredContent?.planId);
    const rejected = await runCli(['reject', planId, '--yes', '--json', '--db', database]);
    assert.equal(rejected.code, 0, rejected.stderr);
    assert.equal((JSON.parse(rejected.stdout) as { state: string }).state, 'rejected');
    const again = await runCli(['approve', planId, '--yes', '--db', database]);
    assert.equal(again.code, 2, 'a decision is final');
    assert.match(again.stderr, /PLAN_ALREADY_DECIDED/);
    assert.equal(errorCodeOf(await call(session.client, 'bitrix_call', { planId })), 'PLAN_REJECTED');
    assert.equal(await leadsTitled('Rejected lead'), 0);
    const plans = await session.client.readResource({ uri: 'b24chain://plans' });
    const text = plans.contents[0] !== undefined && 'text' in plans.contents[0] ? plans.contents[0].text : '';
    const listed = (JSON.parse(text) as { plans: Array<{ planId: string; state: string; decision: { via: string } | null }> }).plans.find(
      (plan) => plan.planId === planId,
    );
    assert.equal(listed?.state, 'rejected');
    assert.equal(listed?.decision?.via, 'terminal');
  });

  it('--read-only lists no write tool and refuses writes without planning them', async () => {
    const database = newDatabase();
    session = await connectStdio(webhookEnv(emulator, database), ['--read-only']);
    const { tools } = await session.client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), ['bitrix_call', 'chain_list', 'chain_status', 'chain_validate', 'plan_status']);
    for (const tool of tools) assert.equal(tool.annotations?.readOnlyHint, true, tool.name);
    const adds = await methodCount('crm.lead.add');
    const refused = await call(session.client, 'bitrix_call', { method: 'crm.lead.add', params: { fields: { TITLE: 'Read-only lead' } } });
    assert.equal(errorCodeOf(refused), 'READ_ONLY');
    assert.equal(await methodCount('crm.lead.add'), adds);
    const read = await call(session.client, 'bitrix_call', { method: 'crm.lead.list', params: { select: ['ID'] } });
    assert.notEqual(read.isError, true);
    const rows = await auditRows(database);
    assert.ok(!rows.some((row) => row.method === 'plan.create'), 'no plan was made');
    assert.deepEqual(
      rows.filter((row) => row.method === 'mcp:bitrix_call').map((row) => [row.outcome, row.errorCode]),
      [
        ['refused', 'READ_ONLY'],
        ['ok', null],
      ],
    );
  });
});

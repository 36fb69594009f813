/**
 * `chain mcp --http 0` (Streamable HTTP on 127.0.0.1), driven by the MCP SDK's own client against an
 * emulator process: tools listed, reads, and the chain flow chain_plan → approval → chain_run, by
 * `chain approve` from another process and by elicitation, with stale and declined plans refused.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { fetchStats, startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.ts';
import { callMethod, listAll } from '../helpers/portal-reader.ts';
import { runCli, webhookEnv } from '../helpers/run-cli.ts';
import { connectHttp, type ElicitHandler, type McpSession } from './helpers/mcp-session.ts';
import { validateChainFile } from '../../src/chain/index.ts';
import { RunStore } from '../../src/store/index.ts';
import { canonicalChainPath } from '../../src/runner/run-ownership.ts';
import { openStateDatabase } from '../../src/store/index.ts';

type ToolResult = CallToolResult & { structuredContent?: Record<string, unknown> };

const chainsFolder = fileURLToPath(new URL('./fixtures/chains', import.meta.url));
let emulator: EmulatorProcess;
let folder: string;
let session: (McpSession & { url: string }) | undefined;
let databaseCount = 0;

function newDatabase(): string {
  databaseCount += 1;
  return join(folder, `state-${databaseCount}.db`);
}

async function open(database: string, args: string[] = [], elicit?: ElicitHandler): Promise<McpSession & { url: string }> {
  session = await connectHttp(webhookEnv(emulator, database), ['--chains', chainsFolder, ...args], elicit);
  return session;
}

async function call(name: string, args: Record<string, unknown>): Promise<ToolResult> {
  assert.ok(session !== undefined);
  return (await session.client.callTool({ name, arguments: args })) as ToolResult;
}

function errorCodeOf(result: ToolResult): string {
  assert.equal(result.isError, true, `expected a tool error, got ${JSON.stringify(result.structuredContent)}`);
  const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
  return (JSON.parse(text.slice(text.indexOf('{'))) as { error: { code: string } }).error.code;
}

function textOf(result: ToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

async function methodCount(method: string): Promise<number> {
  const stats = (await fetchStats(emulator.url)) as { methods: Record<string, number> };
  return stats.methods[method] ?? 0;
}

async function addLeads(title: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) ids.push(String((await callMethod(emulator.webhookUrl, 'crm.lead.add', { fields: { TITLE: title } })).result));
  return ids;
}

async function comments(title: string): Promise<string[]> {
  return (await listAll(emulator.webhookUrl, 'crm.lead.list', { filter: { TITLE: title }, select: ['ID', 'COMMENTS'], order: { ID: 'ASC' } })).map(
    (row) => row.COMMENTS ?? '',
  );
}

describe('chain mcp over Streamable HTTP', () => {
  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'b24chain-mcp-http-'));
    emulator = await startEmulatorProcess([]);
  });
  after(async () => {
    await emulator.stop();
    rmSync(folder, { recursive: true, force: true });
  });
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  it('serves on 127.0.0.1, lists the tools with schemas and annotations, and reads from the portal', async () => {
    const { url, client } = await open(newDatabase());
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const { tools } = await client.listTools();
    assert.equal(tools.length, 8);
    assert.ok(tools.every((tool) => tool.outputSchema?.type === 'object' && tool.annotations !== undefined));
    const listed = await call('chain_list', {});
    assert.deepEqual(
      (listed.structuredContent?.chains as Array<{ name: string; writes: string[] }>).map((chain) => [chain.name, chain.writes]),
      [['comment-leads', ['crm.lead.update']]],
    );
    const read = await call('bitrix_call', { method: 'crm.lead.get', params: { id: 1 } });
    const expected = await callMethod(emulator.webhookUrl, 'crm.lead.get', { id: 1 });
    assert.deepEqual(read.structuredContent?.result, expected.result);
  });

  it('a write via bitrix_call is refused without approval and sends nothing', async () => {
    await open(newDatabase());
    const adds = await methodCount('crm.lead.add');
    const planned = await call('bitrix_call', { method: 'crm.lead.delete', params: { id: 2 } });
    assert.equal(planned.structuredContent?.status, 'pending_approval');
    assert.equal(planned.structuredContent?.risk, 'destructive');
    assert.equal(errorCodeOf(await call('bitrix_call', { planId: planned.structuredContent?.planId })), 'PLAN_NOT_APPROVED');
    assert.equal(await methodCount('crm.lead.delete'), 0);
    assert.equal(await methodCount('crm.lead.add'), adds);
  });

  it('chain_plan + chain_run: refused without approval, no write sent; runs once after `chain approve` from another process', async () => {
    const database = newDatabase();
    await open(database);
    const title = 'HTTP chain lead';
    await addLeads(title, 5);
    const updates = await methodCount('crm.lead.update');
    const planned = await call('chain_plan', { chain: 'comment-leads', inputs: { title } });
    assert.notEqual(planned.isError, true, textOf(planned));
    const planId = String(planned.structuredContent?.planId);
    assert.equal(planned.structuredContent?.risk, 'write');
    assert.deepEqual(
      (planned.structuredContent?.writes as Array<{ method: string; count: number }>).map((entry) => [entry.method, entry.count]),
      [['crm.lead.update', 5]],
    );
    assert.equal((planned.structuredContent?.targets as string[]).length, 5, 'every record it changes, not only the samples');

    assert.equal(errorCodeOf(await call('chain_run', { chain: 'comment-leads', planId })), 'PLAN_NOT_APPROVED');
    assert.equal(await methodCount('crm.lead.update'), updates, 'no write before the approval');
    assert.deepEqual(await comments(title), ['', '', '', '', '']);

    const approved = await runCli(['approve', planId, '--yes', '--db', database]);
    assert.equal(approved.code, 0, approved.stderr);
    const ran = await call('chain_run', { chain: 'comment-leads', planId });
    assert.notEqual(ran.isError, true, textOf(ran));
    assert.equal(ran.structuredContent?.status, 'done');
    assert.deepEqual(await comments(title), Array(5).fill('checked by the agent'));
    assert.equal(errorCodeOf(await call('chain_run', { chain: 'comment-leads', planId })), 'PLAN_CONSUMED');

    const status = await call('chain_status', { runId: ran.structuredContent?.runId });
    assert.equal((status.structuredContent?.runs as Array<{ status: string }>)[0]?.status, 'done');
    const audit = JSON.parse((await runCli(['audit', '--json', '--db', database])).stdout) as {
      rows: Array<{ method: string; outcome: string; errorCode: string | null; planId: string | null }>;
    };
    assert.deepEqual(
      audit.rows.filter((row) => row.planId === planId).map((row) => `${row.method} ${row.outcome}${row.errorCode ? ` ${row.errorCode}` : ''}`),
      [
        'plan.create ok',
        'mcp:chain_plan ok',
        'mcp:chain_run refused PLAN_NOT_APPROVED',
        'plan.approve ok',
        'mcp:chain_run ok',
        'mcp:chain_run refused PLAN_CONSUMED',
      ],
    );
  });

  it('elicitation over HTTP: accept runs the chain plan once, decline refuses it, and a stale plan is refused naming the record', async () => {
    const database = newDatabase();
    let answer: 'accept' | 'decline' | 'cancel' = 'decline';
    const opened = await open(database, [], () => (answer === 'accept' ? { action: 'accept', content: { approve: true } } : { action: answer }));
    const title = 'HTTP elicited lead';
    const ids = await addLeads(title, 4);
    const last = ids[3];
    const updates = await methodCount('crm.lead.update');

    const declinedPlan = String((await call('chain_plan', { chain: 'comment-leads', inputs: { title } })).structuredContent?.planId);
    assert.equal(errorCodeOf(await call('chain_run', { chain: 'comment-leads', planId: declinedPlan })), 'PLAN_REJECTED');
    answer = 'cancel';
    const cancelledPlan = String((await call('chain_plan', { chain: 'comment-leads', inputs: { title } })).structuredContent?.planId);
    assert.equal(errorCodeOf(await call('chain_run', { chain: 'comment-leads', planId: cancelledPlan })), 'APPROVAL_CANCELLED');
    assert.equal((await call('plan_status', { planId: cancelledPlan })).structuredContent?.state, 'pending', 'cancel leaves the plan undecided');
    assert.equal(await methodCount('crm.lead.update'), updates, 'decline and cancel send nothing');

    answer = 'accept';
    const stalePlan = String((await call('chain_plan', { chain: 'comment-leads', inputs: { title } })).structuredContent?.planId);
    // The fourth lead is past the plan's three samples: it is checked all the same.
    await callMethod(emulator.webhookUrl, 'crm.lead.update', { id: Number(last), fields: { COMMENTS: 'edited by a colleague' } });
    const stale = await call('chain_run', { chain: 'comment-leads', planId: stalePlan });
    assert.equal(errorCodeOf(stale), 'PLAN_STALE');
    assert.match(textOf(stale), new RegExp(`crm\\.lead ${last} changed[^;]*COMMENTS`));
    assert.equal(await methodCount('crm.lead.update'), updates + 1, "only the colleague's edit");

    const acceptedPlan = String(
      (await call('chain_plan', { chain: 'comment-leads', inputs: { title, comment: 'approved in the client' } })).structuredContent?.planId,
    );
    const ran = await call('chain_run', { chain: 'comment-leads', planId: acceptedPlan });
    assert.equal(ran.structuredContent?.status, 'done', textOf(ran));
    assert.deepEqual(await comments(title), Array(4).fill('approved in the client'));
    assert.equal(errorCodeOf(await call('chain_run', { chain: 'comment-leads', planId: acceptedPlan })), 'PLAN_CONSUMED');
    assert.equal(opened.elicitations.length, 3, 'declined, cancelled, accepted: nobody is asked about a stale plan');
    assert.match(
      opened.elicitations[2]?.params.message ?? '',
      /Runs chain comment-leads .*\n {2}update: 4 × crm\.lead\.update \(write\)\nChanges crm\.lead \d+ \(DATE_MODIFY /,
    );
    assert.equal((await call('plan_status', { planId: stalePlan })).structuredContent?.state, 'pending');
  });

  it('chain_resume continues an interrupted run only under its approved plan, and writes only the planned items', async () => {
    const database = newDatabase();
    await open(database);
    const title = 'HTTP resumed lead';
    await addLeads(title, 2);
    const planned = await call('chain_plan', { chain: 'comment-leads', inputs: { title } });
    const planId = String(planned.structuredContent?.planId);
    const portal = String((await call('plan_status', { planId })).structuredContent?.portal);
    assert.equal((await runCli(['approve', planId, '--yes', '--db', database])).code, 0);
    // A lead that appears after planning is not in the plan: the resumed run must leave it alone.
    await addLeads(title, 1);
    // The run as a crash leaves it: started under the plan, interrupted before its writes.
    const chainPath = join(chainsFolder, 'comment-leads.yml');
    const report = await validateChainFile(chainPath);
    const state = openStateDatabase(database);
    const store = new RunStore(state);
    const inputs = { title, comment: 'checked by the agent' };
    const withPlan = store.createRun({
      portal,
      chainName: 'comment-leads',
      chainPath: canonicalChainPath(chainPath),
      chainSha256: report.sha256,
      inputs,
      planId,
    });
    store.setStatus(withPlan.id, 'interrupted');
    const withoutPlan = store.createRun({
      portal,
      chainName: 'comment-leads',
      chainPath: canonicalChainPath(chainPath),
      chainSha256: report.sha256,
      inputs: { ...inputs, comment: 'unplanned' },
      planId: null,
    });
    store.setStatus(withoutPlan.id, 'interrupted');
    state.close();
    const updates = await methodCount('crm.lead.update');

    assert.equal(errorCodeOf(await call('chain_resume', { runId: withoutPlan.id })), 'RESUME_NEEDS_APPROVED_PLAN');
    assert.equal(errorCodeOf(await call('chain_resume', { runId: 'run_nope' })), 'RUN_NOT_FOUND');
    assert.equal(await methodCount('crm.lead.update'), updates, 'refusals send nothing');

    const resumed = await call('chain_resume', { runId: withPlan.id });
    assert.equal(resumed.structuredContent?.status, 'done', textOf(resumed));
    assert.deepEqual(await comments(title), ['checked by the agent', 'checked by the agent', ''], 'the unplanned lead was not written');
    assert.equal((resumed.structuredContent?.items as Record<string, number>).not_planned, 1);
  });
});

/**
 * Resources: the packs and the method catalog (what this server allows), the chain library (each
 * chain's YAML), runs with their progress, recent plans with their state, and dead letters. All
 * read from local files and the state database; none sends a portal request.
 */
import { readFileSync } from 'node:fs';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { docsUrl, methodCatalog } from '../protocol/index.ts';
import { listPacks } from '../protocol/index.ts';
import { listLibraryChains } from './chain-library.ts';
import { describePlanStatus } from './describe-plan.ts';
import type { McpContext } from './mcp-context.ts';
import { describeRuns } from './status-tools.ts';

function json(uri: URL, value: unknown): { contents: Array<{ uri: string; mimeType: string; text: string }> } {
  return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }] };
}

function deadLetters(context: McpContext): Array<Record<string, unknown>> {
  return context.runs.deadLetteredItems(context.client.portalKey, 200).map((item) => ({
    runId: item.runId,
    stepId: item.stepId,
    itemKey: item.itemKey,
    errorCode: item.error?.code ?? null,
    at: new Date(item.updatedAt).toISOString(),
  }));
}

export function registerResources(server: McpServer, context: McpContext): void {
  server.registerResource(
    'packs',
    'b24chain://packs',
    { title: 'Method packs', description: 'Every pack, and the ones this server allows', mimeType: 'application/json' },
    (uri) => json(uri, { allowed: context.packs, allowlist: context.allowlist, readOnly: context.readOnly, packs: listPacks() }),
  );
  server.registerResource(
    'methods',
    'b24chain://methods',
    { title: 'Method catalog', description: 'Methods of the allowed packs with their risk class and docs link', mimeType: 'application/json' },
    (uri) =>
      json(uri, {
        methods: methodCatalog
          .filter((entry) => context.packs.includes(entry.pack))
          .map((entry) => ({ method: entry.method, pack: entry.pack, risk: entry.risk, docs: docsUrl(entry) })),
      }),
  );
  for (const chain of listLibraryChains(context.chainDirectories)) {
    server.registerResource(
      `chain ${chain.name}`,
      `b24chain://chains/${chain.name}`,
      { title: `Chain ${chain.name}`, mimeType: 'application/yaml' },
      (uri) => ({
        contents: [{ uri: uri.href, mimeType: 'application/yaml', text: readFileSync(chain.path, 'utf8') }],
      }),
    );
  }
  server.registerResource(
    'runs',
    'b24chain://runs',
    { title: 'Runs', description: 'Recent runs on this portal with their progress', mimeType: 'application/json' },
    (uri) => json(uri, { runs: describeRuns(context) }),
  );
  server.registerResource(
    'plans',
    'b24chain://plans',
    { title: 'Plans', description: 'Recent plans on this portal: pending, approved, rejected, expired, executed', mimeType: 'application/json' },
    (uri) =>
      json(uri, {
        plans: context.approvals
          .recentPlanIds({ portal: context.client.portalKey, limit: 50 })
          .map((id) => context.plans.find(id))
          .filter((plan) => plan !== undefined)
          .map((plan) => describePlanStatus(plan, context.approvals)),
      }),
  );
  server.registerResource(
    'dead-letters',
    'b24chain://dead-letters',
    { title: 'Dead letters', description: 'Items that failed for good, by run and step', mimeType: 'application/json' },
    (uri) => json(uri, { deadLetters: deadLetters(context) }),
  );
}

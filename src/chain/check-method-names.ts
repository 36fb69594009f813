/**
 * Method names checked against the catalog (`chain methods`), as warnings: a method of a declared pack
 * that is not in the catalog passes when the verb rules know its verb (`crm.lead.userfield.add`), and
 * is a warning with a suggestion when they do not (`crm.lead.ad`: "did you mean crm.lead.add?"), since
 * the portal would answer ERROR_METHOD_NOT_FOUND. Warnings never fail validation. Methods that no pack
 * covers at all are errors (METHOD_UNKNOWN, in check-chain-semantics.ts). Pure.
 */
import type { ChainFileProblem } from '../errors/index.ts';
import { findCatalogEntry, methodCatalog } from '../protocol/index.ts';
import { methodAllowedByPacks } from '../protocol/index.ts';
import { hasKnownVerb, isBatchMethod } from '../protocol/index.ts';
import type { ChainDefinition } from './chain-model.ts';
import { listMethodSites } from './list-method-sites.ts';
import { suggestName } from './suggest-name.ts';

const catalogNames = methodCatalog.map((entry) => entry.method);

/** "Did you mean ...?" from the catalog, for a method name that looks misspelt. */
export function suggestCatalogMethod(method: string): string | undefined {
  return suggestName(method, catalogNames);
}

export function checkMethodNames(chain: ChainDefinition): ChainFileProblem[] {
  const warnings: ChainFileProblem[] = [];
  for (const site of listMethodSites(chain)) {
    if (isBatchMethod(site.method) || findCatalogEntry(site.method) || !methodAllowedByPacks(site.method, chain.packs)) continue;
    if (hasKnownVerb(site.method)) continue;
    const suggestion = suggestCatalogMethod(site.method);
    warnings.push({
      file: chain.file,
      line: site.position.line,
      column: site.position.column,
      pointer: site.position.pointer,
      code: 'METHOD_VERB_UNKNOWN',
      detail: `method ${site.method} is not in the catalog and its verb is unknown`,
      hint: suggestion
        ? `Did you mean ${suggestion}? Otherwise the portal answers ERROR_METHOD_NOT_FOUND; it counts as a write until then.`
        : 'Check the name (`chain methods` lists the catalog); the portal answers ERROR_METHOD_NOT_FOUND for an unknown method, and it counts as a write until then.',
    });
  }
  return warnings;
}

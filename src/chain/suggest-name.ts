/** "Did you mean ...?" for misspelt fields, step ids and inputs. Pure. */

function editDistance(left: string, right: string): number {
  const previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row += 1) {
    let diagonal = previous[0] as number;
    previous[0] = row;
    for (let column = 1; column <= right.length; column += 1) {
      const above = previous[column] as number;
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      previous[column] = Math.min(above + 1, (previous[column - 1] as number) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[right.length] as number;
}

/** The closest candidate within a small edit distance, or undefined. */
export function suggestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= bestDistance && (best === undefined || distance < bestDistance)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `Did you mean "call"? ` or the list of known names. */
export function suggestionHint(name: string, candidates: readonly string[], what: string): string {
  const suggestion = suggestName(name, candidates);
  if (suggestion !== undefined) return `Did you mean "${suggestion}"?`;
  if (candidates.length === 0) return `No ${what} are declared.`;
  return `Known ${what}: ${candidates.join(', ')}.`;
}

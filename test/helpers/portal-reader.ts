/** Reads a portal's records over plain HTTP, to verify what a run left behind (independent of the client). */
export async function callMethod(
  webhookUrl: string,
  method: string,
  params: Record<string, unknown> = {},
): Promise<{ result: unknown; total?: number; next?: number; error?: string }> {
  const response = await fetch(`${webhookUrl}${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  return (await response.json()) as { result: unknown; total?: number; next?: number };
}

/** Every row of a legacy list method, by offsets (slow, simple, obviously right). */
export async function listAll(webhookUrl: string, method: string, params: Record<string, unknown> = {}): Promise<Array<Record<string, string>>> {
  const rows: Array<Record<string, string>> = [];
  let start = 0;
  for (let page = 0; page < 10_000; page += 1) {
    const answer = await callMethod(webhookUrl, method, { ...params, start });
    if (answer.error) throw new Error(`${method}: ${answer.error}`);
    rows.push(...(answer.result as Array<Record<string, string>>));
    if (answer.next === undefined) return rows;
    start = answer.next;
  }
  throw new Error(`${method}: more than 10,000 pages`);
}

/** The fields of the N-th lead both clients create in the write benchmark, so both send the same bytes. */
export function benchLeadFields(index: number): Record<string, string> {
  return { TITLE: `Bench lead ${index}`, NAME: 'Ann', STATUS_ID: 'NEW', ORIGINATOR_ID: 'bench', ORIGIN_ID: `bench-${index}` };
}

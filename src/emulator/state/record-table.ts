/**
 * A table of records kept in ascending numeric ID order: a dense sorted array of ids plus a Map by id.
 * Keyset paging binary-searches the ids; offset paging indexes them directly; deletions keep the array
 * dense, so positions stay meaningful. IDs come from an auto-increment counter, as a database's do.
 */
export class RecordTable<Row> {
  private ids: number[] = [];
  private readonly rows = new Map<number, Row>();
  private lastId = 0;

  /** The next auto-increment id (never reused, even after a delete). */
  allocateId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  /** Stores `row` under `id`; ids above every existing one (the usual case) cost O(1). */
  insert(id: number, row: Row): void {
    if (this.rows.has(id)) {
      this.rows.set(id, row);
      return;
    }
    const last = this.ids[this.ids.length - 1];
    if (last === undefined || id > last) this.ids.push(id);
    else this.ids.splice(this.lowerBound(id), 0, id);
    this.rows.set(id, row);
    if (id > this.lastId) this.lastId = id;
  }

  get(id: number): Row | undefined {
    return this.rows.get(id);
  }

  delete(id: number): boolean {
    if (!this.rows.delete(id)) return false;
    const index = this.lowerBound(id);
    if (this.ids[index] === id) this.ids.splice(index, 1);
    return true;
  }

  get size(): number {
    return this.ids.length;
  }

  /** The row at `index` in ID order (0 ≤ index < size). */
  rowAt(index: number): Row | undefined {
    const id = this.ids[index];
    return id === undefined ? undefined : this.rows.get(id);
  }

  /** First index whose id is ≥ `id`. */
  lowerBound(id: number): number {
    let low = 0;
    let high = this.ids.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.ids[middle] as number) < id) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** First index whose id is > `id`. */
  upperBound(id: number): number {
    let low = 0;
    let high = this.ids.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.ids[middle] as number) <= id) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Rows in ascending ID order. */
  *values(): IterableIterator<Row> {
    for (const id of this.ids) {
      const row = this.rows.get(id);
      if (row !== undefined) yield row;
    }
  }

  clear(): void {
    this.ids = [];
    this.rows.clear();
    this.lastId = 0;
  }
}

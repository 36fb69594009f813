/**
 * JSON as PHP's `json_decode(..., true)` sees it: objects keep their keys in the order sent, integer-like
 * keys included (a JavaScript object would move "0" before "lead"), and a repeated key keeps its first
 * position with the last value. Objects become `Map`s; leaves are parsed by `JSON.parse` itself.
 */
export type OrderedJson = string | number | boolean | null | OrderedJson[] | Map<string, OrderedJson>;

class OrderedJsonReader {
  private position = 0;

  constructor(private readonly text: string) {}

  read(): OrderedJson {
    const value = this.value();
    this.skipSpace();
    if (this.position !== this.text.length) throw new SyntaxError(`unexpected text at ${this.position}`);
    return value;
  }

  private skipSpace(): void {
    while (this.position < this.text.length && ' \t\n\r'.includes(this.text.charAt(this.position))) this.position += 1;
  }

  private expect(character: string): void {
    this.skipSpace();
    if (this.text.charAt(this.position) !== character) throw new SyntaxError(`expected ${character} at ${this.position}`);
    this.position += 1;
  }

  private value(): OrderedJson {
    this.skipSpace();
    const character = this.text.charAt(this.position);
    if (character === '{') return this.object();
    if (character === '[') return this.array();
    if (character === '"') return this.string();
    const literal = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(this.text.slice(this.position, this.position + 400));
    if (!literal) throw new SyntaxError(`unexpected ${character || 'end'} at ${this.position}`);
    this.position += literal[0].length;
    return JSON.parse(literal[0]) as OrderedJson;
  }

  private string(): string {
    const start = this.position;
    this.position += 1;
    while (this.position < this.text.length) {
      const character = this.text.charAt(this.position);
      if (character === '\\') this.position += 2;
      else if (character === '"') break;
      else this.position += 1;
    }
    this.position += 1;
    return JSON.parse(this.text.slice(start, this.position)) as string;
  }

  private array(): OrderedJson[] {
    const list: OrderedJson[] = [];
    this.position += 1;
    this.skipSpace();
    if (this.text.charAt(this.position) === ']') {
      this.position += 1;
      return list;
    }
    for (;;) {
      list.push(this.value());
      this.skipSpace();
      const next = this.text.charAt(this.position);
      this.position += 1;
      if (next === ']') return list;
      if (next !== ',') throw new SyntaxError(`expected , or ] at ${this.position - 1}`);
    }
  }

  private object(): Map<string, OrderedJson> {
    const map = new Map<string, OrderedJson>();
    this.position += 1;
    this.skipSpace();
    if (this.text.charAt(this.position) === '}') {
      this.position += 1;
      return map;
    }
    for (;;) {
      this.skipSpace();
      if (this.text.charAt(this.position) !== '"') throw new SyntaxError(`expected a key at ${this.position}`);
      const key = this.string();
      this.expect(':');
      map.set(key, this.value());
      this.skipSpace();
      const next = this.text.charAt(this.position);
      this.position += 1;
      if (next === '}') return map;
      if (next !== ',') throw new SyntaxError(`expected , or } at ${this.position - 1}`);
    }
  }
}

/** Parses JSON keeping object key order; throws a SyntaxError on invalid JSON. */
export function parseOrderedJson(text: string): OrderedJson {
  return new OrderedJsonReader(text).read();
}

/** The plain JavaScript value (what `JSON.parse` would give). */
export function toPlainJson(value: OrderedJson): unknown {
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value instanceof Map) return Object.fromEntries([...value].map(([key, item]) => [key, toPlainJson(item)]));
  return value;
}

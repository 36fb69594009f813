/**
 * Where a JSON text stops being JSON, for `--params` messages: `JSON.parse` names a position for some
 * mistakes and only echoes the input for others, so a small scanner finds the first bad character.
 * Pure; the input's values never appear in the result, only one offending character.
 */

export interface JsonErrorLocation {
  /** 0-based offset of the first character that cannot be read (the length at an early end). */
  offset: number;
  /** 1-based line and column of that character. */
  line: number;
  column: number;
  /** What is wrong there, in words (`unexpected "}"`, `unexpected end of input`). */
  problem: string;
}

class ScanError extends Error {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {
    super(problem);
  }
}

/** Deeper nesting than this is reported instead of recursing further. */
const maximumDepth = 512;

function describeCharacter(character: string | undefined): string {
  if (character === undefined) return 'unexpected end of input';
  const code = character.charCodeAt(0);
  if (code < 0x20) return `unexpected control character U+${code.toString(16).padStart(4, '0').toUpperCase()}`;
  return `unexpected ${JSON.stringify(character)}`;
}

class JsonScanner {
  position = 0;
  constructor(readonly text: string) {}

  fail(problem?: string): never {
    throw new ScanError(this.position, problem ?? describeCharacter(this.text[this.position]));
  }

  skipWhitespace(): void {
    while (this.position < this.text.length && ' \t\n\r'.includes(this.text[this.position] as string)) this.position += 1;
  }

  expect(character: string): void {
    if (this.text[this.position] !== character) this.fail(`${describeCharacter(this.text[this.position])}, expected ${JSON.stringify(character)}`);
    this.position += 1;
  }

  value(depth: number): void {
    if (depth > maximumDepth) this.fail(`nested deeper than ${maximumDepth} levels`);
    this.skipWhitespace();
    const character = this.text[this.position];
    if (character === '{') this.object(depth);
    else if (character === '[') this.array(depth);
    else if (character === '"') this.string();
    else if (character === '-' || (character !== undefined && character >= '0' && character <= '9')) this.number();
    else if (character === 't') this.literal('true');
    else if (character === 'f') this.literal('false');
    else if (character === 'n') this.literal('null');
    else this.fail(character === "'" ? `unexpected "'": JSON strings take double quotes` : undefined);
  }

  object(depth: number): void {
    this.position += 1;
    this.skipWhitespace();
    if (this.text[this.position] === '}') {
      this.position += 1;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.position] !== '"') this.fail(`${describeCharacter(this.text[this.position])}, expected a property name in double quotes`);
      this.string();
      this.skipWhitespace();
      this.expect(':');
      this.value(depth + 1);
      this.skipWhitespace();
      const next = this.text[this.position];
      if (next === '}') {
        this.position += 1;
        return;
      }
      if (next !== ',') this.fail(`${describeCharacter(next)}, expected "," or "}"`);
      this.position += 1;
    }
  }

  array(depth: number): void {
    this.position += 1;
    this.skipWhitespace();
    if (this.text[this.position] === ']') {
      this.position += 1;
      return;
    }
    for (;;) {
      this.value(depth + 1);
      this.skipWhitespace();
      const next = this.text[this.position];
      if (next === ']') {
        this.position += 1;
        return;
      }
      if (next !== ',') this.fail(`${describeCharacter(next)}, expected "," or "]"`);
      this.position += 1;
    }
  }

  string(): void {
    this.position += 1;
    while (this.position < this.text.length) {
      const character = this.text[this.position] as string;
      if (character === '"') {
        this.position += 1;
        return;
      }
      if (character.charCodeAt(0) < 0x20) this.fail(`${describeCharacter(character)} inside a string (write it escaped, e.g. \\n)`);
      if (character === '\\') {
        const escaped = this.text[this.position + 1];
        if (escaped === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.position + 2, this.position + 6))) {
            this.position += 2;
            this.fail('a \\u escape needs four hex digits');
          }
          this.position += 6;
          continue;
        }
        if (escaped === undefined || !'"\\/bfnrt'.includes(escaped)) {
          this.position += 1;
          this.fail(escaped === undefined ? undefined : `unknown escape "\\${escaped}"`);
        }
        this.position += 2;
        continue;
      }
      this.position += 1;
    }
    this.fail('unexpected end of input inside a string');
  }

  digits(): void {
    const start = this.position;
    while (this.position < this.text.length && /[0-9]/.test(this.text[this.position] as string)) this.position += 1;
    if (this.position === start) this.fail(`${describeCharacter(this.text[this.position])}, expected a digit`);
  }

  number(): void {
    if (this.text[this.position] === '-') this.position += 1;
    if (this.text[this.position] === '0') this.position += 1;
    else this.digits();
    if (this.text[this.position] === '.') {
      this.position += 1;
      this.digits();
    }
    if (this.text[this.position] === 'e' || this.text[this.position] === 'E') {
      this.position += 1;
      if (this.text[this.position] === '+' || this.text[this.position] === '-') this.position += 1;
      this.digits();
    }
  }

  literal(word: string): void {
    for (const character of word) {
      if (this.text[this.position] !== character) this.fail(`${describeCharacter(this.text[this.position])} in "${word}"`);
      this.position += 1;
    }
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset && index < text.length; index += 1) {
    if (text[index] === '\n') {
      line += 1;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The first syntax error in `text`, or undefined when it is one well-formed JSON value. */
export function locateJsonError(text: string): JsonErrorLocation | undefined {
  const scanner = new JsonScanner(text);
  try {
    scanner.value(0);
    scanner.skipWhitespace();
    if (scanner.position < text.length) scanner.fail(`${describeCharacter(text[scanner.position])} after the end of the JSON value`);
    return undefined;
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
    return { offset: error.offset, ...lineAndColumn(text, error.offset), problem: error.problem };
  }
}

/**
 * Parsers for numeric command-line options: a bad value is refused (OPTION_INVALID, exit 2) naming the
 * option and the value, never replaced by a default. They throw a `RefusalError` rather than commander's
 * own error, so `--json` still gets its one JSON document (print-refusal.ts).
 */
import { RefusalError } from '../errors/index.ts';

export interface NumberRange {
  min: number;
  max?: number;
  /** Whole numbers only (default true). */
  integer?: boolean;
  /** A sensible value for the hint, e.g. `30`. */
  example: string;
  /** What the number counts, for the message: `minutes`, `rows`... */
  unit?: string;
}

function describeRange(range: NumberRange): string {
  const kind = range.integer === false ? 'a number' : 'a whole number';
  const unit = range.unit ? ` of ${range.unit}` : '';
  return range.max === undefined ? `${kind}${unit} of at least ${range.min}` : `${kind}${unit} from ${range.min} to ${range.max}`;
}

/** Parses `text` as a number in `range`, or refuses naming `flag` and the value. */
export function parseNumberOption(flag: string, text: string, range: NumberRange): number {
  const trimmed = text.trim();
  const value = trimmed === '' ? Number.NaN : Number(trimmed);
  const whole = range.integer !== false;
  if (!Number.isFinite(value) || (whole && !Number.isInteger(value)) || value < range.min || (range.max !== undefined && value > range.max)) {
    throw new RefusalError(`${flag}: ${JSON.stringify(text)} is not ${describeRange(range)} (OPTION_INVALID).`, {
      code: 'OPTION_INVALID',
      hint: `Give e.g. ${flag} ${range.example}.`,
      subject: flag,
      details: { option: flag, value: text },
    });
  }
  return value;
}

/** A commander argument parser for `parseNumberOption`. */
export function numberOption(flag: string, range: NumberRange): (text: string) => number {
  return (text) => parseNumberOption(flag, text, range);
}

/** A commander argument parser that accepts one of `choices`, or refuses naming the option and the value. */
export function choiceOption<T extends string>(flag: string, choices: readonly T[]): (text: string) => T {
  return (text) => {
    const found = choices.find((choice) => choice === text.trim());
    if (found !== undefined) return found;
    throw new RefusalError(`${flag}: ${JSON.stringify(text)} is not one of ${choices.join(', ')} (OPTION_INVALID).`, {
      code: 'OPTION_INVALID',
      hint: `Give e.g. ${flag} ${choices[0] ?? ''}.`,
      subject: flag,
      details: { option: flag, value: text, choices: [...choices] },
    });
  };
}

import { redactDigits } from './redact-digits.js';

/**
 * The one base for tenkey's own errors: a stable `code` (tests and callers branch on it, never on the message)
 * and a `name` that is the subclass's own class name, so a subclass needs no `name` line and `instanceof`
 * works for it and for CodedError. Subclasses keep their extra fields (details, position, input, …).
 */
export class CodedError<Code extends string = string> extends Error {
  override readonly name: string;

  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    // The last line of defence: a message that quotes input (a path, a field, a count) never carries a card number.
    super(redactDigits(message), options);
    this.name = new.target.name;
  }
}

/** Extra facts an error carries for logs and tests (lengths, offsets, type bytes): never key material or card digits. */
export type ErrorDetails = Readonly<Record<string, string | number | boolean>>;

/**
 * Streams the records of a large JSON document shaped `{ "key": scalar, "section": [ {…}, {…} ] }`
 * one at a time, in memory bounded by the largest single record.
 *
 * Why by hand: stream-json, the usual library, tokenises every character in JavaScript and
 * parsed about 25,000 review-sized records per second here — all of the 20,000 per second the
 * import must reach including its database writes. This scanner only finds where each record
 * starts and ends (tracking strings and nesting) and hands the slice to the native JSON.parse,
 * which runs several times faster; any syntax error inside a record is still JSON.parse's to find.
 */

export type JsonRecord = { kind: 'field'; key: string; value: unknown } | { kind: 'item'; section: string; index: number; value: unknown };

export class JsonStreamError extends Error {
  constructor(message: string, readonly line: number) {
    super(`line ${line}: ${message}`);
    this.name = 'JsonStreamError';
  }
}

const enum State {
  Start, // before the top-level `{`
  Key, // inside the top-level object, expecting a key, `,` or `}`
  Colon, // after a key
  Value, // expecting a top-level value
  Items, // inside a section array, expecting an item, `,` or `]`
  Done, // after the top-level `}`
}

const WS = new Set([0x20, 0x0a, 0x0d, 0x09]);

export class RecordScanner {
  private buffer = '';
  private pos = 0;
  private line = 1;
  private state = State.Start;
  private key = '';
  private index = 0;
  private sawItem = false;

  /** Records complete in the text so far. */
  push(chunk: string): JsonRecord[] {
    this.buffer = this.buffer.slice(this.pos) + chunk;
    this.pos = 0;
    const out: JsonRecord[] = [];
    for (;;) {
      const record = this.next();
      if (record === undefined) break;
      if (record !== null) out.push(record);
    }
    return out;
  }

  /** Call at the end of the input: throws if the document was cut short. */
  end(): void {
    this.skipWhitespace();
    if (this.state !== State.Done) throw new JsonStreamError('the document ends too early (truncated file?)', this.line);
    if (this.pos < this.buffer.length) throw new JsonStreamError('unexpected text after the end of the document', this.line);
  }

  private skipWhitespace(): void {
    const b = this.buffer;
    while (this.pos < b.length && WS.has(b.charCodeAt(this.pos))) {
      if (b.charCodeAt(this.pos) === 0x0a) this.line++;
      this.pos++;
    }
  }

  /** One step: a record, `null` for progress without a record, `undefined` when more text is needed. */
  private next(): JsonRecord | null | undefined {
    this.skipWhitespace();
    if (this.pos >= this.buffer.length) return undefined;
    const c = this.buffer[this.pos]!;
    switch (this.state) {
      case State.Start:
        if (c !== '{') throw this.unexpected(c, 'the document must be a JSON object');
        this.pos++;
        this.state = State.Key;
        return null;
      case State.Key: {
        if (c === ',') {
          this.pos++;
          return null;
        }
        if (c === '}') {
          this.pos++;
          this.state = State.Done;
          return null;
        }
        if (c !== '"') throw this.unexpected(c, 'expected a key');
        const end = this.valueEnd(this.pos);
        if (end < 0) return undefined;
        this.key = JSON.parse(this.buffer.slice(this.pos, end)) as string;
        this.pos = end;
        this.state = State.Colon;
        return null;
      }
      case State.Colon:
        if (c !== ':') throw this.unexpected(c, 'expected ":"');
        this.pos++;
        this.state = State.Value;
        return null;
      case State.Value: {
        if (c === '[') {
          this.pos++;
          this.state = State.Items;
          this.index = 0;
          this.sawItem = false;
          return null;
        }
        const end = this.valueEnd(this.pos);
        if (end < 0) return undefined;
        const value = this.parse(this.pos, end);
        this.pos = end;
        this.state = State.Key;
        return { kind: 'field', key: this.key, value };
      }
      case State.Items: {
        if (c === ']') {
          this.pos++;
          this.state = State.Key;
          return null;
        }
        if (c === ',') {
          if (!this.sawItem) throw this.unexpected(c, 'expected an item');
          this.pos++;
          this.sawItem = false;
          return null;
        }
        const end = this.valueEnd(this.pos);
        if (end < 0) return undefined;
        const value = this.parse(this.pos, end);
        this.pos = end;
        this.sawItem = true;
        return { kind: 'item', section: this.key, index: this.index++, value };
      }
      case State.Done:
        throw this.unexpected(c, 'unexpected text after the end of the document');
    }
  }

  /** End (exclusive) of the JSON value starting at `start`, or -1 if the buffer ends first. Counts lines. */
  private valueEnd(start: number): number {
    const b = this.buffer;
    const first = b.charCodeAt(start);
    let i = start;
    let lines = 0;
    if (first === 0x22) {
      // A string: find the closing quote that is not escaped.
      for (i = start + 1; i < b.length; i++) {
        const ch = b.charCodeAt(i);
        if (ch === 0x5c) i++;
        else if (ch === 0x22) return i + 1;
      }
      return -1;
    }
    if (first === 0x7b || first === 0x5b) {
      let depth = 0;
      let inString = false;
      for (; i < b.length; i++) {
        const ch = b.charCodeAt(i);
        if (inString) {
          if (ch === 0x5c) i++;
          else if (ch === 0x22) inString = false;
        } else if (ch === 0x22) inString = true;
        else if (ch === 0x7b || ch === 0x5b) depth++;
        else if (ch === 0x7d || ch === 0x5d) {
          if (--depth === 0) {
            this.line += lines;
            return i + 1;
          }
        } else if (ch === 0x0a) lines++;
      }
      return -1;
    }
    // A number, true, false or null: runs to the next delimiter.
    for (; i < b.length; i++) {
      const ch = b.charCodeAt(i);
      if (ch === 0x2c || ch === 0x7d || ch === 0x5d || WS.has(ch)) return i;
    }
    return -1;
  }

  private parse(start: number, end: number): unknown {
    try {
      return JSON.parse(this.buffer.slice(start, end));
    } catch (error) {
      throw new JsonStreamError(`invalid JSON in ${this.state === State.Items ? `"${this.key}" item ${this.index + 1}` : `"${this.key}"`}: ${(error as Error).message}`, this.line);
    }
  }

  private unexpected(c: string, message: string): JsonStreamError {
    return new JsonStreamError(`${message}, found ${JSON.stringify(c)}`, this.line);
  }
}

/** Records of a JSON document read from a stream of text chunks. */
export async function* readRecords(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<JsonRecord> {
  const scanner = new RecordScanner();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let first = true;
  for await (const chunk of chunks) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    first = false;
    yield* scanner.push(text);
  }
  yield* scanner.push(decoder.decode());
  scanner.end();
}

import { END_OF_INPUT } from '../ipc/hello.js';

const MARKER = Buffer.from(END_OF_INPUT.trimEnd());

/** True when a client line is the shim's end-of-input marker (compared by length first: cheap). */
export function isEndOfInput(line: Buffer, length: number): boolean {
  return length === MARKER.length && line.compare(MARKER, 0, MARKER.length, 0, length) === 0;
}

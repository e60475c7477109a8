import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../../src-main/core/jsonrpc/line-splitter.js';

function collect(limit: number) {
  const lines: string[] = [];
  const oversize: Array<{ head: string; bytes: number }> = [];
  const splitter = new LineSplitter(
    {
      onLine: (line, length) => lines.push(line.toString('utf8', 0, length)),
      onOversize: (head, bytes) => oversize.push({ head, bytes }),
    },
    limit,
  );
  return { splitter, lines, oversize };
}

describe('LineSplitter', () => {
  it('splits lines across and within chunks', () => {
    const { splitter, lines } = collect(1000);
    splitter.push(Buffer.from('{"a":1}\n{"b"'));
    splitter.push(Buffer.from(':2}\n{"c":3}\n'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('keeps multi-byte characters whole when a chunk splits them', () => {
    const { splitter, lines } = collect(1000);
    const bytes = Buffer.from('{"t":"žluťoučký 🐴"}\n');
    splitter.push(bytes.subarray(0, 9));
    splitter.push(bytes.subarray(9));
    expect(lines).toEqual(['{"t":"žluťoučký 🐴"}']);
  });

  it('passes the original bytes with their newline for zero-copy forwarding', () => {
    const raw: Buffer[] = [];
    const splitter = new LineSplitter({ onLine: (line) => raw.push(line), onOversize: () => undefined }, 100);
    splitter.push(Buffer.from('{"x":1}\n'));
    expect(raw[0]?.toString()).toBe('{"x":1}\n');
  });

  it('drops CR of CRLF lines and skips empty lines', () => {
    const { splitter, lines } = collect(1000);
    splitter.push(Buffer.from('{"a":1}\r\n\n\r\n{"b":2}\n'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('reports an oversized line once with its head and size, then goes on', () => {
    const { splitter, lines, oversize } = collect(64);
    const big = `{"id":9,"pad":"${'x'.repeat(200)}"}`;
    splitter.push(Buffer.from(big.slice(0, 50)));
    splitter.push(Buffer.from(big.slice(50, 120)));
    splitter.push(Buffer.from(big.slice(120) + '\n{"ok":true}\n'));
    expect(oversize).toEqual([{ head: big.slice(0, 120), bytes: big.length }]);
    expect(lines).toEqual(['{"ok":true}']);
  });

  it('refuses a line over the limit that arrives in one chunk', () => {
    const { splitter, lines, oversize } = collect(10);
    splitter.push(Buffer.from('{"a":"0123456789"}\n{"b":1}\n'));
    expect(oversize[0]?.bytes).toBe(18);
    expect(lines).toEqual(['{"b":1}']);
  });
});

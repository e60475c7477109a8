import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** The last `count` lines of a text file (reading at most its last 16 KiB); none when absent. */
export function tailLines(file: string, count: number): string[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = statSync(file).size;
    const length = Math.min(size, 16 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').filter((line) => line.trim() !== '');
    return lines.slice(-count);
  } finally {
    closeSync(fd);
  }
}

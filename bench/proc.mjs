// What the CPU benches share: reading a process's CPU time, memory and children from /proc,
// waiting for a socket, and a checked echo workload.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU µs (user + system) a process has used; NaN once it is gone. */
export function cpuMicros(pid) {
  try {
    // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS;
  } catch {
    return Number.NaN;
  }
}

/**
 * Memory only this process holds (MiB): its private pages. RSS also counts the pages of the node
 * binary and libraries it shares with every other Node process (optimizing code pages in ~4 MiB
 * of TurboFan's own machine code, held once for all of them).
 */
export function privateMiB(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kib = [...text.matchAll(/^Private_(?:Clean|Dirty):\s+(\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    return kib / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Resident memory of a process (MiB), shared pages included. */
export function rssMiB(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return Number(line.split(/\s+/)[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Direct children of a process, over all its threads (the upstreams a core spawned). */
export function childrenOf(pid) {
  const out = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (text) out.push(...text.split(' ').map(Number));
  }
  return out;
}

export function waitForSocket(path, timeoutMs = 15_000) {
  return new Promise((done, reject) => {
    const deadline = Date.now() + timeoutMs;
    const attempt = () => {
      const socket = connect(path);
      socket.once('connect', () => {
        socket.destroy();
        done();
      });
      socket.once('error', () => (Date.now() > deadline ? reject(new Error(`nothing listens on ${path}`)) : setTimeout(attempt, 50)));
    };
    attempt();
  });
}

/** `total` echo calls with `concurrency` in flight; every reply is checked. */
export async function echoCalls(client, concurrency, total) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) {
        const result = await client.callTool({ name: 'echo', arguments: { message: 'hello' } });
        if (result.isError || !JSON.stringify(result.content).includes('hello')) {
          throw new Error(`a bench call failed, so the figures would be wrong: ${JSON.stringify(result).slice(0, 200)}`);
        }
      }
    }),
  );
}

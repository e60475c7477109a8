import type { Line } from './jsonrpc-arbitraries.mjs';

export function show(text: unknown): string;
export function checkReceivedHaveRows(received: Buffer[], rows: Array<Record<string, unknown>>): string[];
export function checkRefusedNeverForwarded(sent: Line[], received: Buffer[], rows?: Array<Record<string, unknown>>): string[];
export function checkReplies(sent: Line[], replyLines: string[]): string[];

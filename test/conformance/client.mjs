// The MCP client the conformance suite launches for one client scenario (`client.mjs URL`), with
// Warden in the middle: it adds the scenario's server to the Warden daemon the runner started
// (WARDEN_HOME, WARDEN_CLIENT_KEY), then speaks MCP through the real shim, `warden stdio --server
// conf`, as Claude Desktop would. It never retries: connect, list tools, call the scenario's tool.
// Runs on the system Node (Warden's better-sqlite3 is built for it), never on the suite's Node 22.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const WARDEN = resolve(ROOT, 'bin', 'warden.mjs');
const SERVER = 'conf';
const url = process.argv.at(-1);
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
const context = process.env.MCP_CONFORMANCE_CONTEXT ? JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT) : {};
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', WARDEN_HOME: process.env.WARDEN_HOME ?? '' };
const say = (line) => process.stderr.write(`[conformance client] ${line}\n`);

/** Runs `warden ARGS` (stdin optional); resolves with its code and output. */
function warden(args, input = '') {
  return new Promise((done) => {
    const child = spawn(process.execPath, [WARDEN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('close', (code) => done({ code, out: out.trim() }));
    child.stdin.end(input);
  });
}

async function must(args, input) {
  const result = await warden(args, input);
  if (result.code !== 0) throw new Error(`warden ${args[0]} ${args[1] ?? ''} failed: ${result.out}`);
  return result.out;
}

/** The OAuth flags the scenario's context calls for (pre-registered clients, client credentials). */
async function oauthFlags() {
  const flags = [];
  if (context.client_id) flags.push('--oauth-client-id', context.client_id);
  if (context.client_secret) {
    await must(['secret', 'set', 'CONF_CLIENT_SECRET'], context.client_secret);
    flags.push('--oauth-client-secret', '${secret:CONF_CLIENT_SECRET}');
  }
  if (context.private_key_pem) {
    await must(['secret', 'set', 'CONF_PRIVATE_KEY'], context.private_key_pem);
    flags.push('--oauth-private-key', '${secret:CONF_PRIVATE_KEY}');
  }
  if (scenario.startsWith('auth/client-credentials-')) flags.push('--oauth-grant', 'client_credentials');
  return flags;
}

/** The tool a scenario wants called, and its arguments. */
function toolFor(name) {
  if (name === 'initialize') return undefined;
  if (name === 'tools_call') return { name: 'add_numbers', arguments: { a: 5, b: 10 } };
  if (name === 'elicitation-sep1034-client-defaults') return { name: 'test_client_elicitation_defaults', arguments: {} };
  if (name === 'sse-retry') return { name: 'test_reconnection', arguments: {} };
  return { name: 'test-tool', arguments: {} };
}

async function main() {
  if (!url || !env.WARDEN_HOME || !process.env.WARDEN_CLIENT_KEY) throw new Error('run me through test/conformance/run-client.mjs (it sets WARDEN_HOME and WARDEN_CLIENT_KEY)');
  await must(['server', 'add', SERVER, '--url', url, '--transport', 'http', '--default-action', 'allow', ...(await oauthFlags())]);
  if (process.env.CONFORMANCE_LOGIN === '1') {
    const login = await warden(['login', SERVER]);
    say(`warden login: ${login.out}`);
  }
  const client = new Client({ name: 'warden-conformance-client', version: '1.0.0' }, { capabilities: { elicitation: { form: { applyDefaults: true } } } });
  // Accept with nothing filled in: the SDK applies the schema's defaults (SEP-1034).
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: {} }));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [WARDEN, 'stdio', '--server', SERVER],
    env: { ...env, WARDEN_CLIENT_KEY: process.env.WARDEN_CLIENT_KEY },
    stderr: 'inherit',
  });
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    say(`tools: ${tools.map((tool) => tool.name).join(', ') || '(none)'}`);
    const call = toolFor(scenario);
    if (call) {
      const result = await client.callTool(call);
      say(`${call.name}: ${JSON.stringify(result).slice(0, 300)}`);
      if (result.isError) throw new Error(`${call.name} answered with an error`);
    }
  } finally {
    await client.close().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    say(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

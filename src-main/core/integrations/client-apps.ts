import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The caller's home and config folders, as the CLI sends them (see control-api's callerEnv). */
export type CallerEnv = Partial<Record<'HOME' | 'USERPROFILE' | 'APPDATA' | 'LOCALAPPDATA' | 'XDG_CONFIG_HOME', string>>;

export const APP_IDS = ['claude', 'cursor', 'vscode', 'claude-code'] as const;
export type AppId = (typeof APP_IDS)[number];

/** One MCP client whose config file Warden can import from and point at itself. */
export interface ClientApp {
  id: AppId;
  label: string;
  /** The name the client's Warden key gets. */
  clientName: string;
  /** The top-level key that holds the servers. */
  serversKey: 'mcpServers' | 'servers';
  /** Whether the file may hold comments and trailing commas (VS Code). */
  jsonc: boolean;
  /** Whether stdio entries carry `"type": "stdio"`. */
  typed: boolean;
  /**
   * How the client's config names a Streamable HTTP server: `typed` is
   * `{"type": "http", "url", "headers"}` (VS Code, Claude Code), `url` is `{"url", "headers"}`
   * (Cursor); absent when the client launches only stdio servers (Claude Desktop).
   */
  http?: 'typed' | 'url';
  /** Where the config lives, most likely first; the first that exists is used. */
  candidates(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[];
}

function home(env: NodeJS.ProcessEnv): string {
  return env.HOME ?? env.USERPROFILE ?? homedir();
}

function appData(env: NodeJS.ProcessEnv): string {
  return env.APPDATA ?? join(home(env), 'AppData', 'Roaming');
}

/** The Claude Desktop MSIX build keeps its config inside its package folder. */
function msixClaudeConfigs(env: NodeJS.ProcessEnv): string[] {
  const packages = join(env.LOCALAPPDATA ?? join(home(env), 'AppData', 'Local'), 'Packages');
  if (!existsSync(packages)) return [];
  return readdirSync(packages)
    .filter((name) => name.startsWith('Claude_'))
    .map((name) => join(packages, name, 'LocalCache', 'Roaming', 'Claude', 'claude_desktop_config.json'));
}

const APPS: Record<AppId, ClientApp> = {
  claude: {
    id: 'claude',
    label: 'Claude Desktop',
    clientName: 'claude-desktop',
    serversKey: 'mcpServers',
    jsonc: false,
    typed: false,
    candidates: (env, platform) => {
      if (platform === 'darwin') return [join(home(env), 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json')];
      if (platform === 'win32') return [join(appData(env), 'Claude', 'claude_desktop_config.json'), ...msixClaudeConfigs(env)];
      return [join(env.XDG_CONFIG_HOME ?? join(home(env), '.config'), 'Claude', 'claude_desktop_config.json')];
    },
  },
  cursor: {
    id: 'cursor',
    label: 'Cursor',
    clientName: 'cursor',
    serversKey: 'mcpServers',
    jsonc: false,
    typed: false,
    http: 'url',
    candidates: (env) => [join(home(env), '.cursor', 'mcp.json')],
  },
  vscode: {
    id: 'vscode',
    label: 'VS Code',
    clientName: 'vscode',
    serversKey: 'servers',
    jsonc: true,
    typed: true,
    http: 'typed',
    candidates: (env, platform) => {
      if (platform === 'darwin') return [join(home(env), 'Library', 'Application Support', 'Code', 'User', 'mcp.json')];
      if (platform === 'win32') return [join(appData(env), 'Code', 'User', 'mcp.json')];
      return [join(env.XDG_CONFIG_HOME ?? join(home(env), '.config'), 'Code', 'User', 'mcp.json')];
    },
  },
  'claude-code': {
    id: 'claude-code',
    label: 'Claude Code',
    clientName: 'claude-code',
    serversKey: 'mcpServers',
    jsonc: false,
    typed: true,
    http: 'typed',
    candidates: (env) => [join(home(env), '.claude.json')],
  },
};

/** The client with that id. */
export function clientApp(id: AppId): ClientApp {
  return APPS[id];
}

/** The config path to use: the explicit one, else the first candidate that exists, else the first. */
export function configPathFor(app: ClientApp, explicit: string | undefined, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (explicit) return explicit;
  const candidates = app.candidates(env, platform);
  return candidates.find((path) => existsSync(path)) ?? (candidates[0] as string);
}

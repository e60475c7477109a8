import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What start-at-login needs from Electron's app. */
export interface LoginItemApp {
  getLoginItemSettings(): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void;
}

export interface LoginItemContext {
  platform: NodeJS.Platform;
  /** XDG_CONFIG_HOME or ~/.config, where autostart entries live on Linux. */
  configHome: string;
  /** The command that starts the app (the binary, and the app folder in development). */
  command: string[];
}

/** Start at login: through Electron on macOS and Windows; an XDG autostart entry on Linux. */
export class LoginItem {
  constructor(
    private readonly app: LoginItemApp,
    private readonly context: LoginItemContext,
  ) {}

  private get desktopFile(): string {
    return join(this.context.configHome, 'autostart', 'mcp-warden.desktop');
  }

  isEnabled(): boolean {
    if (this.context.platform === 'linux') return existsSync(this.desktopFile);
    return this.app.getLoginItemSettings().openAtLogin;
  }

  setEnabled(enabled: boolean): void {
    if (this.context.platform !== 'linux') {
      this.app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true, args: ['--background'] });
      return;
    }
    if (!enabled) {
      rmSync(this.desktopFile, { force: true });
      return;
    }
    mkdirSync(join(this.context.configHome, 'autostart'), { recursive: true });
    const exec = [...this.context.command, '--background'].map(quoteExec).join(' ');
    writeFileSync(
      this.desktopFile,
      ['[Desktop Entry]', 'Type=Application', 'Name=MCP Warden', 'Comment=Local authenticating proxy for MCP servers', `Exec=${exec}`, 'X-GNOME-Autostart-enabled=true', 'Terminal=false', ''].join('\n'),
    );
  }

  /** The entry's Exec line, for tests and diagnostics. */
  readEntry(): string | undefined {
    return existsSync(this.desktopFile) ? readFileSync(this.desktopFile, 'utf8') : undefined;
  }
}

/** Quotes one argument of a desktop entry's Exec key (freedesktop rules). */
function quoteExec(arg: string): string {
  if (/^[A-Za-z0-9_./:=+-]+$/.test(arg)) return arg;
  return `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

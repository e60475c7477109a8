/**
 * Variables an upstream gets from Warden's own environment. Everything else it gets must be
 * declared on the server, so a daemon started with tokens in its environment never hands
 * them to a tool.
 */
const INHERITED_POSIX = ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'USER', 'LOGNAME', 'SHELL', 'TERM'];
const INHERITED_WINDOWS = [
  'PATH', 'PATHEXT', 'USERPROFILE', 'HOMEDRIVE', 'HOMEPATH', 'TMP', 'TEMP', 'LANG',
  'SystemRoot', 'SystemDrive', 'windir', 'ComSpec', 'APPDATA', 'LOCALAPPDATA', 'USERNAME',
];

/**
 * Builds an upstream's environment: the allow-listed variables from `parent` plus `declared`
 * (already resolved). Declared values win.
 */
export function minimalEnv(
  declared: Readonly<Record<string, string>>,
  parent: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): Record<string, string> {
  const env: Record<string, string> = {};
  const names = platform === 'win32' ? INHERITED_WINDOWS : INHERITED_POSIX;
  for (const name of names) {
    // Windows variable names are case-insensitive; look them up that way.
    const key = platform === 'win32' ? Object.keys(parent).find((k) => k.toLowerCase() === name.toLowerCase()) : name;
    const value = key === undefined ? undefined : parent[key];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...declared };
}

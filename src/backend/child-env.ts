/**
 * Variables a child gets from our environment by default: enough to find
 * programs and run Node/npx/Python tools, not the secrets a parent may hold.
 */
export const SAFE_ENV_KEYS = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "TERM",
  "LANG",
  "LC_ALL",
  "LC_CTYPE",
  "TZ",
  "TMPDIR",
  "TEMP",
  "TMP",
  "NODE_EXTRA_CA_CERTS",
  "SYSTEMROOT",
  "APPDATA",
  "LOCALAPPDATA",
  "PROGRAMFILES",
  "USERPROFILE",
  "COMSPEC",
  "PATHEXT",
  "npm_config_cache",
  "NPM_CONFIG_CACHE",
  "npm_config_registry",
  "XDG_CACHE_HOME",
  "XDG_CONFIG_HOME",
  "XDG_DATA_HOME",
] as const;

/** The environment of a child: the safe set (or everything) from `parent`, then the config's own. */
export function childEnv(
  parent: NodeJS.ProcessEnv,
  own: Record<string, string>,
  inheritAll: boolean,
): Record<string, string> {
  const env: Record<string, string> = {};
  if (inheritAll) {
    for (const [key, value] of Object.entries(parent)) if (value !== undefined) env[key] = value;
  } else {
    for (const key of SAFE_ENV_KEYS) {
      const value = parent[key];
      if (value !== undefined) env[key] = value;
    }
  }
  return Object.assign(env, own);
}

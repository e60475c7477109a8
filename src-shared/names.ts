/**
 * Name rules shared by the core, the CLI and the window. Pure functions, no Node or DOM.
 */

/** Server names appear in client configs and in aggregated tool names (`server__tool`). */
export const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Secret names appear inside `${secret:NAME}` templates. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Client names label keys in listings and rules. */
export const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/;

/** Environment variable names an upstream may declare. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Matches every `${secret:NAME}` reference in a template string. */
export const SECRET_REFERENCE = /\$\{secret:([^}]*)\}/g;

/**
 * Lists the secret names a template refers to, in order of first use.
 * Names that break {@link SECRET_NAME} are returned too, so the caller can refuse them.
 */
export function secretReferences(template: string): string[] {
  const names: string[] = [];
  for (const match of template.matchAll(SECRET_REFERENCE)) {
    const name = match[1] ?? '';
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

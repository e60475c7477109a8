declare const __WARDEN_VERSION__: string | undefined;

/** Warden's version, set by the build; "dev" when running from source. */
export const VERSION: string = typeof __WARDEN_VERSION__ === 'string' ? __WARDEN_VERSION__ : 'dev';

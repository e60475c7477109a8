import { z } from 'zod';

/**
 * The caller's own home and config folders (the CLI's, not the core's), so a client's usual
 * config path is the one the person at the terminal means.
 */
export const callerEnv = z
  .object({
    HOME: z.string().max(4096).optional(),
    USERPROFILE: z.string().max(4096).optional(),
    APPDATA: z.string().max(4096).optional(),
    LOCALAPPDATA: z.string().max(4096).optional(),
    XDG_CONFIG_HOME: z.string().max(4096).optional(),
  })
  .strict()
  .optional();

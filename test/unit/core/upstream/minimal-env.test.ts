import { describe, expect, it } from 'vitest';
import { minimalEnv } from '../../../../src-main/core/upstream/minimal-env.js';

describe('minimalEnv()', () => {
  const parent = { PATH: '/bin', HOME: '/home/u', LANG: 'C.UTF-8', AWS_SECRET_ACCESS_KEY: 'x', NODE_OPTIONS: '--require evil', WARDEN_VAULT_KEY: 'k' };

  it('keeps only the allow-listed variables plus the declared ones', () => {
    expect(minimalEnv({ API_KEY: 'v' }, parent, 'linux')).toEqual({ PATH: '/bin', HOME: '/home/u', LANG: 'C.UTF-8', API_KEY: 'v' });
  });

  it('lets declared values win over inherited ones', () => {
    expect(minimalEnv({ PATH: '/opt/bin' }, parent, 'linux').PATH).toBe('/opt/bin');
  });

  it('finds Windows variables whatever their case', () => {
    const env = minimalEnv({}, { Path: 'C:\\bin', SYSTEMROOT: 'C:\\Windows', USERPROFILE: 'C:\\u', SECRET: 'x' }, 'win32');
    expect(env).toEqual({ PATH: 'C:\\bin', SystemRoot: 'C:\\Windows', USERPROFILE: 'C:\\u' });
  });
});

import { describe, expect, it } from 'vitest';
import { credentialReason } from '../../../../src-main/core/integrations/credential-shapes.js';

describe('credentialReason()', () => {
  it.each([
    ['GITHUB_PERSONAL_ACCESS_TOKEN', 'x'],
    ['OPENAI_API_KEY', 'x'],
    ['xApiKey', 'x'],
    ['Authorization', 'x'],
    ['DB_PASSWORD', 'x'],
    ['CLIENT_SECRET', 'x'],
    ['GITLAB_PAT', 'x'],
    ['AWS_CREDENTIALS', 'x'],
    ['SLACK_BOT_ACCESSTOKEN', 'x'],
  ])('counts %s as a credential by its name', (name, value) => {
    expect(credentialReason(name, value)).toMatch(/its name .* says it is a credential/);
  });

  it.each([
    ['a GitHub token', 'ghp_0123456789abcdefghijABCDEFGHIJ012345'],
    ['a GitHub token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop'],
    ['an API key (sk-…)', 'sk-ant-api03-AbCdEf0123456789xyz'],
    ['a Slack token', 'xoxb-123456789012-abcdefABCDEF'],
    ['an AWS access key', 'AKIAIOSFODNN7EXAMPLE'],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl'],
    ['a URL with a password', 'postgres://app:hunter2@db.internal:5432/app'],
  ])('counts a value shaped like %s as a credential whatever its name', (what, value) => {
    expect(credentialReason('SETTING', value)).toBe(`its value looks like ${what}`);
  });

  it('counts a long random string under a plain name as a credential', () => {
    expect(credentialReason('UPSTREAM', 'Zq8vN3xK1pL7rT2wY9mB4cF6hJ0sD5gA')).toBe('its value looks like a random key');
  });

  it.each([
    ['LOG_LEVEL', 'debug'],
    ['PORT', '8080'],
    ['NODE_ENV', 'production'],
    ['ALLOWED_PATHS', '/home/me/projects/some-long-folder-name-2024'],
    ['BASE_URL', 'https://api.example.com/v2/resources?limit=100'],
    ['WORKSPACE', 'C:\\Users\\me\\Documents\\work-2024-q3'],
    ['AUTHOR_NAME', 'Ada Lovelace'],
    ['VERSION', '1.2.3-beta.4'],
  ])('keeps %s=%s as a plain setting', (name, value) => {
    expect(credentialReason(name, value)).toBeUndefined();
  });

  it('never includes the value in its reason', () => {
    const value = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';
    expect(credentialReason('X', value)).not.toContain(value.slice(4, 12));
  });
});

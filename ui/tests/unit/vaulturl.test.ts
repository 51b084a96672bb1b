import { describe, expect, it } from 'vitest';
import { isTeamVaultUrl, percentDecode, percentEncode, redactUrl, teamVaultProblem, vaultKind, withoutPassword } from '../../src/logic/vaulturl';

describe('vault kind', () => {
  it('tells a team vault URL from a folder', () => {
    expect(isTeamVaultUrl('postgres://u@h/db?folder=/x')).toBe(true);
    expect(isTeamVaultUrl('postgresql://h/db?folder=/x')).toBe(true);
    expect(isTeamVaultUrl('/home/ana/vault')).toBe(false);
    expect(isTeamVaultUrl('mysql://h/db')).toBe(false);
    expect(isTeamVaultUrl(null)).toBe(false);
    expect(vaultKind('postgres://u@h/db?folder=/x')).toBe('team');
    expect(vaultKind('C:\\Evidence\\vault')).toBe('folder');
    expect(vaultKind(undefined)).toBe('folder');
  });
});

describe('withoutPassword (as the backend shows a team vault)', () => {
  it('drops the password and keeps the folder', () => {
    expect(withoutPassword('postgres://clerk:s3cret@db:5432/evidence?folder=/srv/x')).toBe('postgres://clerk@db:5432/evidence?folder=/srv/x');
    expect(withoutPassword('postgres://clerk@db/evidence?folder=/srv/x')).toBe('postgres://clerk@db/evidence?folder=/srv/x');
  });
  it('keeps other parameters, drops password parameters, encodes the folder', () => {
    expect(withoutPassword('postgres://clerk:s3cret@db:5432/evidence?sslmode=require&password=p2&sslpassword=p3&folder=/srv/team%20files%26more')).toBe(
      'postgres://clerk@db:5432/evidence?sslmode=require&folder=/srv/team%20files%26more',
    );
    expect(withoutPassword('postgres://h/db?folder=/srv/team files')).toBe('postgres://h/db?folder=/srv/team%20files');
    expect(withoutPassword('postgresql://h/db?folder=/%E8%AF%81%E6%8D%AE')).toBe('postgresql://h/db?folder=/%E8%AF%81%E6%8D%AE');
    expect(withoutPassword('postgresql://h/db?folder=/证据')).toBe('postgresql://h/db?folder=/%E8%AF%81%E6%8D%AE');
  });
  it('is stable: the shown form shows itself', () => {
    const shown = withoutPassword('postgres://a:b@h:1/d?x=1&folder=/a%20b');
    expect(withoutPassword(shown)).toBe(shown);
  });
  it('shows a URL that cannot be used without password and parameters, and a folder as it is', () => {
    expect(withoutPassword('postgres://u:pw@h/db?password=x')).toBe('postgres://u@h/db');
    expect(withoutPassword('postgres://u:pw@h?folder=/x')).toBe('postgres://u@h');
    expect(withoutPassword('/tmp/v')).toBe('/tmp/v');
    expect(redactUrl('postgres://u:p:w@h/db?folder=/x')).toBe('postgres://u@h/db');
  });
});

describe('teamVaultProblem', () => {
  it('needs a folder and a database', () => {
    expect(teamVaultProblem('postgres://u:pw@h/db?folder=/x')).toBeNull();
    expect(teamVaultProblem('postgres://u:pw@h/db')).toBe('folder');
    expect(teamVaultProblem('postgres://u:pw@h/db?folder=')).toBe('folder');
    expect(teamVaultProblem('postgresql://h?folder=/x')).toBe('database');
    expect(teamVaultProblem('postgresql://h/?folder=/x')).toBe('database');
    expect(teamVaultProblem('postgres://h/db?folder=/x%zz')).toBe('encoding');
    expect(teamVaultProblem('postgres://h/db?folder=/x%FF')).toBe('encoding');
  });
});

describe('percent encoding', () => {
  it('round-trips', () => {
    for (const s of ['/srv/x', '/a b/&c=d?#%', '/证据/2026', 'C:/Evidence']) expect(percentDecode(percentEncode(s))).toBe(s);
    expect(percentEncode('/a b')).toBe('/a%20b');
    expect(percentDecode('%2')).toBeNull();
  });
});

/**
 * Ansible Vault, through the `ansible-vault` command (never reimplemented): it finds the password
 * exactly as Ansible does (ANSIBLE_VAULT_PASSWORD_FILE, ANSIBLE_VAULT_IDENTITY_LIST, ansible.cfg).
 * It runs in its own session with stdin closed, so it can never stop to prompt on the terminal.
 * Plain text comes back on stdout only; nothing is written to disk but the (encrypted) input.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { LOCAL_TIMINGS } from '../plan/defaults.js';

/** The outcome of one decryption: the plain text, or why it failed (one line, no secret in it). */
type VaultResult = { text: string } | { error: string; hint: string };

/** True for text that is an Ansible Vault envelope (`$ANSIBLE_VAULT;1.1;AES256` …). */
export function isVaultText(text: string): boolean {
  return /^\s*\$ANSIBLE_VAULT;/.test(text);
}

/** Finds `ansible-vault` on PATH, or undefined. */
export function findAnsibleVault(env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'ansible-vault');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Decrypts vault texts (inline values or whole files), four at a time. */
export async function decryptVaultTexts(
  texts: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<VaultResult[]> {
  const bin = findAnsibleVault(env);
  if (!bin)
    return texts.map(() => ({
      error: '`ansible-vault` is not installed',
      hint: 'install Ansible (`apt-get install ansible`) so lrroll can decrypt it, or provide the value another way',
    }));
  const dir = await mkdtemp(join(tmpdir(), 'lrroll-vault-'));
  try {
    const results: VaultResult[] = new Array<VaultResult>(texts.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < texts.length; i = next++) {
        const file = join(dir, `value-${i}`);
        await writeFile(file, `${(texts[i] as string).trim()}\n`, { mode: 0o600 });
        results[i] = await runVault(bin, file, env);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `ansible-vault decrypt --output - FILE`, in its own session with stdin closed. */
function runVault(bin: string, file: string, env: Readonly<Record<string, string | undefined>>): Promise<VaultResult> {
  return new Promise((resolve) => {
    const child = spawn(bin, ['decrypt', '--output', '-', file], {
      env: { ...env, ANSIBLE_NOCOLOR: '1' } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), LOCAL_TIMINGS.vaultMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString('utf8')).slice(-4000)));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ error: `ansible-vault could not run: ${e.message}`, hint: 'check the Ansible installation' });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ text: Buffer.concat(out).toString('utf8') });
      const why =
        err
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !/^prompt for/i.test(l))
          .pop() ?? `exit code ${code}`;
      const noPassword = /EOFError|prompt/i.test(err) || !/decryption failed/i.test(err);
      resolve({
        error: `ansible-vault could not decrypt it: ${why.replace(/^ERROR!\s*/, '')}`,
        hint: noPassword
          ? 'give the vault password as for Ansible: ANSIBLE_VAULT_PASSWORD_FILE=/path/to/file (or a ' +
            'vault_password_file in ansible.cfg)'
          : 'the vault password does not match this value: check ANSIBLE_VAULT_PASSWORD_FILE',
      });
    });
  });
}

import { ConnectionError } from '../../errors/errors.js';
import type { ResolvedSshTarget } from './ssh-config.js';

/** A failed SSH connection as the error that says what to check: the login, the key's passphrase, or the host. */
export function connectError(target: ResolvedSshTarget, err: unknown): ConnectionError {
  const message = err instanceof Error ? err.message : String(err);
  const where = `${target.user}@${target.hostName}:${target.port}`;
  if (/authentication methods failed|All configured authentication/i.test(message)) {
    return new ConnectionError(
      'E_AUTH',
      `cannot log in to ${where}: ${message}`,
      'check the user and key (identityFile, ~/.ssh/config, ssh-agent); encrypted keys need LRROLL_SSH_PASSPHRASE',
      { cause: err },
    );
  }
  if (/passphrase|encrypted/i.test(message)) {
    return new ConnectionError(
      'E_AUTH',
      `cannot use the private key for ${where}: ${message}`,
      'set LRROLL_SSH_PASSPHRASE, or load the key into ssh-agent',
      { cause: err },
    );
  }
  return new ConnectionError(
    'E_CONNECT',
    `cannot connect to ${where}: ${message}`,
    'check that the host is up and that sshd listens on that port',
    { cause: err },
  );
}

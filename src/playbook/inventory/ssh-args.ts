/**
 * `ansible_ssh_common_args` / `ansible_ssh_extra_args`, read for the one thing lrroll takes from
 * them: the jump host. `-J hop`, `-o ProxyJump=hop` (or `-o ProxyJump hop`) and the classic
 * `-o ProxyCommand="ssh -W %h:%p [-q] [-p port] [-l user] [user@]bastion"` all become a ProxyJump;
 * every other option is listed as ignored so the caller can say so.
 */
import { shlexSplit } from './python-literal.js';

/** The jump host found (`user@host:port`, comma-separated hops) and every option ignored, as written. */
interface SshArgs {
  proxyJump?: string;
  ignored: string[];
}

/** Reads ssh command-line arguments (split like Python's shlex, as Ansible does). */
export function readSshArgs(text: string): SshArgs {
  const split = shlexSplit(text);
  if ('error' in split) return { ignored: [text] };
  const words = split.words.map((w) => w.text);
  const out: SshArgs = { ignored: [] };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '-J' || word === '-o') {
      const value = words[++i];
      if (value === undefined) out.ignored.push(word);
      else if (word === '-J') out.proxyJump = value;
      else readOption(value, words[i + 1], out, () => i++);
    } else if (word.startsWith('-J') && word.length > 2) out.proxyJump = word.slice(2);
    else if (word.startsWith('-o') && word.length > 2) readOption(word.slice(2), words[i + 1], out, () => i++);
    else out.ignored.push(word);
  }
  return out;
}

/** One `-o Key=value` (or `-o Key value`, taking the next word). */
function readOption(option: string, next: string | undefined, out: SshArgs, takeNext: () => void): void {
  const m = /^([A-Za-z]+)(?:\s*=\s*|\s+)(.*)$/s.exec(option);
  let key = m?.[1] ?? option;
  let value = m?.[2];
  if (value === undefined && next !== undefined) {
    value = next;
    takeNext();
  }
  key = key.toLowerCase();
  if (key === 'proxyjump' && value) out.proxyJump = value;
  else if (key === 'proxycommand' && value && proxyCommandHop(value)) out.proxyJump = proxyCommandHop(value);
  else out.ignored.push(`-o ${m?.[1] ?? option}${value !== undefined ? `=${value}` : ''}`);
}

/** `ssh -W %h:%p [-q] [-p port] [-l user] [user@]host` as a ProxyJump hop, or undefined for any other command. */
function proxyCommandHop(command: string): string | undefined {
  const split = shlexSplit(command);
  if ('error' in split) return undefined;
  const [ssh, ...rest] = split.words.map((w) => w.text);
  if (ssh !== 'ssh' && ssh !== '/usr/bin/ssh') return undefined;
  let port: string | undefined;
  let user: string | undefined;
  let host: string | undefined;
  let forwards = false;
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i] as string;
    if (w === '-W' && rest[i + 1] === '%h:%p') {
      forwards = true;
      i++;
    } else if (w === '-q') continue;
    else if (w === '-p' && /^\d+$/.test(rest[i + 1] ?? '')) port = rest[++i];
    else if (w === '-l' && rest[i + 1]) user = rest[++i];
    else if (!w.startsWith('-') && host === undefined) host = w;
    else return undefined;
  }
  if (!forwards || !host) return undefined;
  const withUser = user && !host.includes('@') ? `${user}@${host}` : host;
  return port ? `${withUser}:${port}` : withUser;
}

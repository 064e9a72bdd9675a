import type { SourceLocation } from '../../errors/diagnostics.js';

/** A scalar value a host or group variable may hold. */
export type InventoryValue = string | number | boolean;

/** One host read from an inventory file (Ansible INI/YAML, or lrroll's own). */
export interface InventoryHost {
  /** The inventory name of the host (Ansible's inventory_hostname). */
  name: string;
  /** Address to connect to (ansible_host), when it differs from the name. */
  host?: string;
  /** SSH port (ansible_port / ansible_ssh_port). */
  port?: number;
  /** SSH user (ansible_user / ansible_ssh_user). */
  user?: string;
  /** Private key file (ansible_ssh_private_key_file / ansible_private_key_file). */
  identityFile?: string;
  /** Every other variable after Ansible's precedence: all < parent group < child group < host. */
  vars: Record<string, InventoryValue>;
  /** Names of every group the host belongs to, parents included (never 'all'). */
  groups: string[];
  /** Where the host is first declared. */
  source: SourceLocation;
}

/** Types for inventory-ansible.mjs (ansible-inventory's view of the fixture inventories). */
export interface InventoryFixture {
  name: string;
  dir: string;
  file: string;
  vaultPassword: string | null;
}
export interface AnsibleInventoryView {
  hosts: Record<string, { groups: string[]; vars: Record<string, unknown> }>;
  groupHosts: Record<string, string[]>;
  children: Record<string, string[]>;
}
export const FIXTURES: string;
export function inventoryFixtures(): InventoryFixture[];
export function hasAnsibleInventory(): boolean;
export function ansibleView(fixture: InventoryFixture): AnsibleInventoryView;
export function ansibleOrders(
  fixture: InventoryFixture,
  view: AnsibleInventoryView,
  only?: string[],
): Record<string, string[]>;

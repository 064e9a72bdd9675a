/** Types for serial-ansible.mjs (Ansible's batches for a grid of serial values). */
export type Serial = number | string | Array<number | string>;
export interface SerialCase {
  serial: Serial;
  hosts: number;
}
export const SERIALS: Serial[];
export const HOST_COUNTS: number[];
export function hasAnsible(): boolean;
export function caseKey(serial: Serial, hosts: number): string;
export function ansibleBatches(cases: SerialCase[]): Record<string, number[]>;
export function formatTable(generatedBy: string, batches: Record<string, number[]>): string;
export function gridCases(): SerialCase[];

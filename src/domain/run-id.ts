/**
 * The environment variable that carries the run id into the backup and restore commands: each run backs up into its own
 * folder.
 */
export const RUN_ID_VAR = 'LRROLL_RUN_ID';

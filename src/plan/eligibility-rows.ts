/** The rows of the eligibility table (SPEC §3), as shown in verdicts. A new change type adds its row here. */
export const ROWS = {
  newModule: 'new module / plugin, theme → rolling: yes, unless it changes data incompatibly',
  moduleUpdate: 'module / plugin update → rolling: yes, unless its schema moves major/minor',
  patchRevertible: 'fix pack / hotfix install, revertible → rolling: yes',
  patchNonRevertible: 'fix pack install, non-revertible → rolling: no',
  patchRemoval: 'fix pack removal (revertible) → rolling: yes',
  config: 'portal-ext.properties, osgi/configs files → rolling: yes',
  appServer: 'app server / JVM settings → rolling: yes',
  javaMinor: 'Java minor update → rolling: yes',
  activationKey: 'activation key → rolling: yes',
  never: 'Java major update, OS upgrade, cluster code change, DB schema change → rolling: no (full restart only)',
  custom: 'custom commands → rolling as declared by `rollingSafe`',
  restart: 'restart only (no change) → rolling: yes',
  unknown: 'facts unknown → rolling: no (the safe verdict until they are declared or readable)',
} as const;

/** What the manifest (META-INF/MANIFEST.MF) of a jar/war says. */
export interface ManifestFacts {
  /** Bundle-SymbolicName without directives (`;singleton:=true` removed). */
  bundleSymbolicName: string | null;
  /** Bundle-Version. */
  bundleVersion: string | null;
  /** Liferay-Require-SchemaVersion: the Service Builder schema version the module needs. */
  requireSchemaVersion: string | null;
}

/** Counts of what a patch archive changes, by kind of file. */
export interface PatchContent {
  /**
   * `.jsp`, `.jspf`, `.css`, `.scss`, `.js`, images, fonts, `.html`, templates and `Language*.properties` files (patch
   * level only).
   */
  jspOrStatic: number;
  /** `.class` files (directly in the archive or inside changed jars/wars/lpkgs), upgrade classes included. */
  classes: number;
  /** `.jar`, `.war`, `.lpkg` files the patch replaces (archives nested inside those are not counted again). */
  jars: number;
  /**
   * `.sql` files and upgrade classes (a path with an `upgrade/` segment; also counted in `classes`), at any nesting
   * level.
   */
  sqlOrUpgrade: number;
  /** Any other patch-level file (xml, non-language properties, …); documentation files are not counted at all. */
  other: number;
}

/** What a fix pack / hotfix zip contains and declares. */
export interface PatchFacts {
  /**
   * Patch name from its documentation file (e.g. `dxp-15-7210`, `hotfix-1234-7210`; its `id` when no name), else null.
   */
  name: string | null;
  /** Product from its documentation file, else null. */
  product: string | null;
  /** Requirements from the documentation file (e.g. `dxp=10`), as listed. */
  requirements: string[];
  /** Number of fixed issues listed in the documentation. */
  fixedIssues: number;
  /** Which documentation file was found. */
  documentation: 'json' | 'xml' | null;
  /** Content classification. */
  content: PatchContent;
  /**
   * Class files in packages that must not change in a rolling restart (at most 20), nested ones as
   * `x.jar!com/…/Y.class`.
   */
  clusterClasses: string[];
  /** SQL files and upgrade classes found (at most 20 listed), same path notation as `clusterClasses`. */
  sqlOrUpgradeFiles: string[];
  /** Entries (nested archives, documentation files) that could not be inspected, as `entry: reason`. */
  unreadable: string[];
}

/**
 * What a configuration file shipped from the playbook's repository sets (a `portal-ext.properties` or a `setenv.sh`).
 */
export interface ConfigFileFacts {
  /** A properties file: the keys it sets, in file order (later duplicates dropped). */
  keys: string[];
  /** A setenv script: the JVM options its `CATALINA_OPTS` / `JAVA_OPTS` assignments add, in order. */
  jvmOptions: string[];
  /** A setenv script: the variables it assigns (`JAVA_HOME`, `CATALINA_OPTS` …), sorted. */
  variables: string[];
}

/** Facts about one local artifact named by the playbook, gathered before planning. */
export interface ArtifactFacts {
  /** The path as written in the playbook. */
  path: string;
  /** Absolute path on this machine. */
  absPath: string;
  /** Base file name. */
  fileName: string;
  /** Lower-case hex sha256 of the file, or null when it could not be read. */
  sha256: string | null;
  /** Size in bytes (0 when unreadable). */
  size: number;
  /** The manifest, for jars and wars (null otherwise or when absent). */
  manifest: ManifestFacts | null;
  /** Patch facts, for fix pack / hotfix zips (null otherwise). */
  patch: PatchFacts | null;
  /**
   * For a release artifact (a bundle zip or an lpkg): every OSGi bundle in it, at any nesting level; absent for other
   * kinds or when it could not all be read.
   */
  bundles?: Array<ManifestFacts & { bundleSymbolicName: string }>;
  /** What a shipped configuration file sets (null for other artifacts). */
  config: ConfigFileFacts | null;
  /** Why the file could not be read or inspected; null when it was. */
  error: string | null;
  /**
   * What the artifact holds that lrroll refuses to use at all (a header outside OSGi syntax, a patch
   * name that is not one, an entry named `../x` or `/x`), as the end of a sentence; null when none.
   */
  invalid: string | null;
}

/**
 * What values read from an artifact may be before lrroll uses them: the OSGi syntax of manifest
 * headers, the form of a patch name, and text safe to put on a terminal. An artifact is untrusted
 * input (downloaded, built by someone else), and these values reach plans, commands and screens.
 */

/** OSGi Core §1.3.2: symbolic-name ::= token ( '.' token )*, token ::= ( alphanum | '_' | '-' )+ */
const SYMBOLIC_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
/** OSGi Core §3.2.5: version ::= major( '.' minor ( '.' micro ( '.' qualifier )? )? )? */
const VERSION = /^\d{1,9}(\.\d{1,9}(\.\d{1,9}(\.[A-Za-z0-9_-]+)?)?)?$/;
/** Liferay patch names: `dxp-15-7210`, `hotfix-1234-7210`, `liferay-fix-pack-de-28-7010`. */
const PATCH_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** True for a Bundle-SymbolicName OSGi allows (at most 255 characters). */
export function isSymbolicName(value: string): boolean {
  return value.length <= 255 && SYMBOLIC_NAME.test(value);
}

/** True for an OSGi version (Bundle-Version, Liferay-Require-SchemaVersion). */
export function isOsgiVersion(value: string): boolean {
  return value.length <= 64 && VERSION.test(value);
}

/** True for a patch name as Liferay writes them. */
export function isPatchName(value: string): boolean {
  return PATCH_NAME.test(value);
}

/**
 * Text from an artifact made safe to show: control characters (terminal escapes) as `\uXXXX`, at most `max` characters.
 */
export function printable(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
}

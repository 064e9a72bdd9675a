/**
 * The read-only commands that gather node facts on a node: `lrroll facts` runs `factsCommand`,
 * preflight runs the parts a check needs. The Java is the one the app server starts with: Tomcat
 * takes `JRE_HOME`, else `JAVA_HOME`, after sourcing `bin/setenv.sh`; without either, `java` on
 * the PATH.
 */
import { listBundlesCommand } from './change-bundle.js';
import { installedPatchesCommand } from './change-patch.js';
import { shq } from '../shell/quote.js';

/** Where a node keeps what the facts are read from. */
interface FactsPaths {
  liferayHome: string;
  tomcatHome: string;
}

/** Prints the `java -version` output (stderr included) of the JVM the app server starts with. */
export function javaInUseCommand(tomcatHome: string): string {
  const setenv = shq(`${tomcatHome}/bin/setenv.sh`);
  return (
    `(if [ -r ${setenv} ]; then . ${setenv} >/dev/null 2>&1; fi; ` +
    `j="\${JRE_HOME:-$JAVA_HOME}"; if [ -n "$j" ]; then "$j/bin/java" -version; elif command -v java ` +
    `>/dev/null 2>&1; then java -version; else echo 'no JAVA_HOME, JRE_HOME or java on the PATH'; fi) ` +
    `2>&1`
  );
}

/**
 * Prints the app server version as `Server number: X`: read from Tomcat's `lib/catalina.jar`
 * (ServerInfo.properties, no JVM needed), else from `catalina.sh version`.
 */
export function appServerVersionCommand(tomcatHome: string): string {
  const jar = shq(`${tomcatHome}/lib/catalina.jar`);
  const catalina = shq(`${tomcatHome}/bin/catalina.sh`);
  return [
    `v=$(unzip -p ${jar} org/apache/catalina/util/ServerInfo.properties ` +
      `2>/dev/null | sed -n 's/^server\\.number=//p' | tr -d '\\r')`,
    `if [ -n "$v" ]; then echo "Server number: $v"; elif [ -f ${catalina} ]; then sh ${catalina}` +
      ` version 2>/dev/null | grep -E '^Server (number|version):'; fi`,
  ].join('\n');
}

/**
 * One command printing every fact of a node, each section after a `== <name>` line; a section that cannot be read
 * prints `!` and why.
 */
export function factsCommand(p: FactsPaths): string {
  const pt = shq(`${p.liferayHome}/patching-tool/patching-tool.sh`);
  return [
    'echo "== java"',
    javaInUseCommand(p.tomcatHome),
    'echo "== app-server"',
    `(${appServerVersionCommand(p.tomcatHome)}) || true`,
    'echo "== patches"',
    `if [ -x ${pt} ]; then (${installedPatchesCommand(p.liferayHome)}` +
      `) | sed 's/^/patches: /'; echo 'patches: end'; else echo '! no patching tool'; fi`,
    'echo "== modules"',
    `(${listBundlesCommand(p.liferayHome)})`,
    'exit 0',
  ].join('\n');
}

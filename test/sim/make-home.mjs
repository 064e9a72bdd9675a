#!/usr/bin/env node
// Creates the Liferay Home of a simulated Liferay DXP 7.2 node (see liferay-sim.mjs and README.md).
//
//   node test/sim/make-home.mjs --home <dir> --node <name> --host <addr> --http-port <port>
//        [--start-ms 1500] [--stop-ms 400] [--response-ms 0] [--cluster-dir <dir>]
//        [--patches dxp-14[,hotfix-1234]] [--tomcat-dir tomcat] [--node-bin <node>] [--sim <liferay-sim.mjs>]
//        [--extra '{"failStart":true}']   (more sim.json fields)
//
// Prints a JSON summary (the paths) on stdout. Plain Node.js, no dependencies: it also runs on test nodes.
import { chmodSync, existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Build number of the simulated product (Liferay DXP 7.2.10). */
export const BUILD = '7210';
const TOMCAT_VERSION = '9.0.83';

/** Directories of a Liferay Home, relative to it. */
const HOME_DIRS = [
  'deploy',
  'data/license',
  'logs',
  'osgi/configs',
  'osgi/marketplace',
  'osgi/modules',
  'osgi/state',
  'osgi/war',
  'patching-tool/patches',
  'work',
];
const TOMCAT_DIRS = ['bin', 'conf/Catalina/localhost', 'lib', 'logs', 'temp', 'webapps/ROOT/WEB-INF', 'work'];

// ---------------------------------------------------------------------------------------------
// A minimal zip writer (stored entries), enough for patch zips and jars made on a node.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Zip bytes for `entries` ({ path: string | Buffer }), stored (no compression), fixed timestamp. */
export function zipBytes(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  const dosTime = (3 << 11) | (4 << 5) | 3; // 03:04:06
  const dosDate = ((2024 - 1980) << 9) | (1 << 5) | 2; // 2024-01-02
  for (const [name, content] of Object.entries(entries)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(String(content), 'utf8');
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by: unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(((name.endsWith('/') ? 0o40755 : 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  const count = Object.keys(entries).length;
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** Writes a zip file (see zipBytes), mode 0644. */
export function writeZip(file, entries) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, zipBytes(entries), { mode: 0o644 });
  chmodSync(file, 0o644);
}

// ---------------------------------------------------------------------------------------------
// Patches

/**
 * Patch name and zip file name for a level such as `dxp-14`, `dxp-14-7210` or `hotfix-1234`:
 * `dxp-14` → liferay-fix-pack-dxp-14-7210.zip holding patch.name `dxp-14-7210`;
 * `hotfix-1234` → liferay-hotfix-1234-7210.zip holding `hotfix-1234-7210`.
 */
export function patchFile(level) {
  const name = /-\d{4}$/.test(level) ? level : `${level}-${BUILD}`;
  const file = name.startsWith('hotfix-') ? `liferay-${name}.zip` : `liferay-fix-pack-${name}.zip`;
  return { name, file };
}

/** Writes a patch zip (with fixpack_documentation.json) into `patchesDir`; returns the patch name and path. */
export function makePatchZip(patchesDir, level, { requirements } = {}) {
  const { name, file } = patchFile(level);
  const doc = {
    patch: { id: name, name, product: 'dxp', requirements: requirements ?? '', 'fixed-issues': ['LPS-100001'] },
    build: { 'git-revision': '0000000' },
  };
  const path = join(patchesDir, file);
  writeZip(path, {
    'fixpack_documentation.json': JSON.stringify(doc, null, 2) + '\n',
    'binary/war/WEB-INF/lib/portal-impl.jar': zipBytes({ 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\r\n\r\n' }),
  });
  return { name, path };
}

// ---------------------------------------------------------------------------------------------
// A fake JDK, for `java` / `jvm-settings` changes

/** Creates `<dir>/bin/java` printing an OpenJDK-style `-version` banner for `version` (e.g. 17.0.13). */
export function makeFakeJdk(dir, version = '17.0.13') {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const java = join(dir, 'bin/java');
  writeFileSync(
    java,
    [
      '#!/bin/sh',
      '# Fake java for lrroll tests: only -version works.',
      'case "$1" in',
      `  -version|--version) echo 'openjdk version "${version}` +
        `" 2024-10-15' >&2; echo 'OpenJDK Runtime Environment (build ${version}` +
        `+11)' >&2; echo 'OpenJDK 64-Bit Server VM (build ${version}` +
        `+11, mixed mode, sharing)' >&2; exit 0 ;;`,
      "  *) echo 'fake java: only -version is supported' >&2; exit 1 ;;",
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(java, 0o755);
  return java;
}

// ---------------------------------------------------------------------------------------------
// Scripts

/** POSIX single quoting. */
export function shq(s) {
  return `'${String(s).replaceAll("'", "'\\''")}'`;
}

/** Shell function: is_running PID → 0 if the process exists and is not a zombie. */
const IS_RUNNING = String.raw`is_running() {
  case $1 in ''|*[!0-9]*) return 1 ;; esac
  kill -0 "$1" 2>/dev/null || return 1
  if [ -r "/proc/$1/stat" ]; then
    # Field 3 of /proc/PID/stat is the state; Z = zombie (exited, not yet reaped).
    st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
    [ "$st" != Z ] || return 1
  fi
  return 0
}`;

function catalinaSh({ home, tomcat, nodeBin, sim }) {
  return `#!/bin/sh
# catalina.sh of a SIMULATED Liferay DXP node (lrroll test/sim/liferay-sim.mjs), Tomcat ${TOMCAT_VERSION} style.
#   catalina.sh start            start in the background (pid written to $CATALINA_PID)
#   catalina.sh stop [n] [-force] SIGTERM, wait up to n seconds (default 5), then SIGKILL if -force
#   catalina.sh run              run in the foreground
#   catalina.sh version
# Generated by test/sim/make-home.mjs: the paths below are absolute, so it works from any cwd.

LRROLL_SIM_NODE=${shq(nodeBin)}
LRROLL_SIM_SCRIPT=${shq(sim)}
LIFERAY_HOME=${shq(home)}
CATALINA_HOME=${shq(tomcat)}
CATALINA_BASE=$CATALINA_HOME
export CATALINA_HOME CATALINA_BASE

if [ -r "$CATALINA_BASE/bin/setenv.sh" ]; then
  . "$CATALINA_BASE/bin/setenv.sh"
fi
[ -n "$CATALINA_PID" ] || CATALINA_PID=$LIFERAY_HOME/liferay.pid
[ -n "$CATALINA_OUT" ] || CATALINA_OUT=$CATALINA_BASE/logs/catalina.out
export JAVA_HOME JRE_HOME CATALINA_OPTS JAVA_OPTS CATALINA_PID

${IS_RUNNING}

# Like Tomcat's setclasspath.sh: a JAVA_HOME/JRE_HOME without an executable bin/java is fatal.
if [ -n "$JRE_HOME" ]; then
  if [ ! -x "$JRE_HOME/bin/java" ]; then
    echo "The JRE_HOME environment variable is not defined correctly"
    echo "This environment variable is needed to run this program"
    exit 1
  fi
elif [ -n "$JAVA_HOME" ]; then
  if [ ! -x "$JAVA_HOME/bin/java" ]; then
    echo "The JAVA_HOME environment variable is not defined correctly"
    echo "This environment variable is needed to run this program"
    echo "NB: JAVA_HOME should point to a JDK not a JRE"
    exit 1
  fi
fi

# Polling step: 0.1 s where sleep takes fractions (GNU, busybox), else 1 s.
if sleep 0.01 2>/dev/null; then TICK=0.1; TICKS_PER_S=10; else TICK=1; TICKS_PER_S=1; fi

# wait_gone PID SECONDS → 0 once the process is gone, 1 if it is still there after SECONDS.
wait_gone() {
  n=$(( $2 * TICKS_PER_S ))
  while :; do
    is_running "$1" || return 0
    [ "$n" -gt 0 ] || return 1
    sleep "$TICK"
    n=$((n - 1))
  done
}

echo "Using CATALINA_BASE:   $CATALINA_BASE"
echo "Using CATALINA_HOME:   $CATALINA_HOME"
echo "Using CATALINA_TMPDIR: $CATALINA_BASE/temp"
echo "Using JRE_HOME:        \${JRE_HOME:-$JAVA_HOME}"
echo "Using CATALINA_PID:    $CATALINA_PID"

case $1 in
start)
  if [ -f "$CATALINA_PID" ]; then
    if [ -s "$CATALINA_PID" ]; then
      echo "Existing PID file found during start."
      if [ -r "$CATALINA_PID" ]; then
        PID=$(cat "$CATALINA_PID")
        if is_running "$PID"; then
          echo "Tomcat appears to still be running with PID $PID. Start aborted."
          echo "If the following process is not a Tomcat process, remove the PID file and try again:"
          exit 1
        fi
        echo "Removing/clearing stale PID file."
        rm -f "$CATALINA_PID" || { echo "Unable to remove or clear stale PID file. Start aborted."; exit 1; }
      else
        echo "Unable to read PID file. Start aborted."
        exit 1
      fi
    else
      rm -f "$CATALINA_PID" || { echo "Unable to remove or write to empty PID file. Start aborted."; exit 1; }
    fi
  fi
  touch "$CATALINA_OUT" || exit 1
  nohup "$LRROLL_SIM_NODE" "$LRROLL_SIM_SCRIPT" --home "$LIFERAY_HOME" >> "$CATALINA_OUT" 2>&1 < /dev/null &
  echo $! > "$CATALINA_PID"
  echo "Tomcat started."
  exit 0
  ;;
run)
  exec "$LRROLL_SIM_NODE" "$LRROLL_SIM_SCRIPT" --home "$LIFERAY_HOME"
  ;;
stop)
  shift
  SLEEP=5
  FORCE=0
  for a in "$@"; do
    case $a in
      -force) FORCE=1 ;;
      ''|*[!0-9]*) echo "Unknown stop argument: $a" ;;
      *) SLEEP=$a ;;
    esac
  done
  if [ ! -f "$CATALINA_PID" ]; then
    echo "\\$CATALINA_PID was set but the specified file does not exist. Is Tomcat running? Stop aborted."
    exit 1
  fi
  if [ ! -s "$CATALINA_PID" ]; then
    echo "PID file is empty and has been ignored."
    rm -f "$CATALINA_PID"
    exit 0
  fi
  PID=$(cat "$CATALINA_PID")
  if ! is_running "$PID"; then
    echo "PID file found but either no matching process was found or the current user does not have permission to stop the process. Stop aborted."
    exit 1
  fi
  kill -TERM "$PID" 2>/dev/null
  if wait_gone "$PID" "$SLEEP"; then
    rm -f "$CATALINA_PID"
    echo "Tomcat stopped."
    exit 0
  fi
  echo "Tomcat did not stop in time."
  [ "$FORCE" -eq 1 ] || echo "PID file was not removed."
  echo "To aid diagnostics a thread dump has been written to standard out."
  kill -QUIT "$PID" 2>/dev/null
  if [ "$FORCE" -eq 1 ]; then
    echo "Killing Tomcat with the PID: $PID"
    kill -KILL "$PID" 2>/dev/null
    if wait_gone "$PID" 5; then
      rm -f "$CATALINA_PID"
      echo "The Tomcat process has been killed."
      exit 0
    fi
    echo "Tomcat has not been killed completely yet. The process might be waiting on some system call or might be UNINTERRUPTIBLE."
  fi
  exit 1
  ;;
version)
  echo "Server version: Apache Tomcat/${TOMCAT_VERSION}"
  echo "Server number:  ${TOMCAT_VERSION}.0"
  echo "JVM Version:    simulated (liferay-sim.mjs on $("$LRROLL_SIM_NODE" --version))"
  exit 0
  ;;
*)
  echo "Usage: catalina.sh ( commands ... )"
  echo "commands:"
  echo "  run               Start Catalina in the current window"
  echo "  start             Start Catalina in a separate window"
  echo "  stop              Stop Catalina, waiting up to 5 seconds for the process to end"
  echo "  stop n            Stop Catalina, waiting up to n seconds for the process to end"
  echo "  stop -force       Stop Catalina, wait up to 5 seconds and then use kill -KILL if still running"
  echo "  stop n -force     Stop Catalina, wait up to n seconds and then use kill -KILL if still running"
  echo "  version           What version of tomcat are you running?"
  echo "Note: Waiting for the process to end and use of the -force option require that \\$CATALINA_PID is defined"
  exit 1
  ;;
esac
`;
}

function patchingToolSh({ home }) {
  return `#!/bin/sh
# SIMULATED Liferay Patching Tool 2.0.15 (lrroll test/sim). Generated by test/sim/make-home.mjs.
#   patching-tool.sh [profile] install [-force] | info | revert | auto-discovery [dir] | version
# The zips in patches/ are the wanted set; install makes it the installed set (file .installed).
# Fix packs of one family supersede each other (only the highest is installed); hotfixes add up.

LIFERAY_HOME=${shq(home)}
PT_DIR=$LIFERAY_HOME/patching-tool
PATCHES=$PT_DIR/patches
INSTALLED=$PT_DIR/.installed

${IS_RUNNING}

# Patch name of a zip: patch.name of fixpack_documentation.json, else the file name
# without .zip and without liferay-fix-pack- (liferay-hotfix-N → hotfix-N).
patch_name() {
  n=$(unzip -p "$1" fixpack_documentation.json 2>/dev/null | tr -d '\\r\\n' |
    sed -n 's/.*"patch"[[:space:]]*:[[:space:]]*{[^}]*"name"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\1/p')
  if [ -z "$n" ]; then
    n=\${1##*/}
    n=\${n%.zip}
    n=\${n#liferay-fix-pack-}
    n=\${n#liferay-}
  fi
  printf '%s\\n' "$n"
}

# All patch names in patches/, one a line.
available() {
  for z in "$PATCHES"/*.zip; do
    [ -f "$z" ] || continue
    patch_name "$z"
  done | sort -u
}

# Names on stdin → the ones that would be installed (highest fix pack per family, every hotfix).
effective() {
  awk '
    { names[NR] = $0
      if (match($0, /^(de|dxp|portal|fp)-[0-9]+(-[0-9]+)?$/)) {
        fam = $0; sub(/-.*/, "", fam); num = $0; sub(/^[a-z]+-/, "", num); sub(/-.*/, "", num); num += 0
        if (!(fam in best) || num > best[fam]) { best[fam] = num; bestname[fam] = $0 }
        isfp[NR] = fam
      } }
    END { for (i = 1; i <= NR; i++) if (!(i in isfp) || bestname[isfp[i]] == names[i]) print names[i] }'
}

join_lines() { paste -sd, - | sed 's/,/, /g'; }

app_server_running() {
  for f in "$CATALINA_PID" "$LIFERAY_HOME/liferay.pid" "$LIFERAY_HOME/sim.pid"; do
    [ -n "$f" ] && [ -s "$f" ] && is_running "$(cat "$f" 2>/dev/null)" && return 0
  done
  return 1
}

profile=
case $1 in
  ''|install|info|revert|auto-discovery|version|help|setup|index-info|diff|list-collisions|store|separate|support-info) ;;
  *) profile=$1; shift ;;
esac
cmd=$1
[ $# -gt 0 ] && shift
props=$PT_DIR/\${profile:-default}.properties
if [ -n "$profile" ] && [ "$cmd" != auto-discovery ] && [ ! -f "$props" ]; then
  echo "The profile $profile does not exist: $props is missing. Run ./patching-tool.sh $profile auto-discovery first."
  exit 1
fi

case $cmd in
install)
  if app_server_running; then
    echo "The application server is running. Stop it before installing patches (Liferay must not run while the Patching Tool changes its files)."
    exit 1
  fi
  touch "$INSTALLED" || exit 1
  avail=$(available)
  want=$(printf '%s\\n' "$avail" | sed '/^$/d' | effective)
  printf '%s\\n' "$want" | sed '/^$/d' > "$INSTALLED.tmp" && mv -f "$INSTALLED.tmp" "$INSTALLED" || exit 1
  n=$(sed '/^$/d' "$INSTALLED" | wc -l | tr -d ' ')
  echo "Loading product and patch information..."
  for p in $want; do echo "Installing patch $p..."; done
  case $n in
    0) echo "The installation was successful. No patches are installed on the system." ;;
    1) echo "The installation was successful. One patch is installed on the system." ;;
    *) echo "The installation was successful. $n patches are installed on the system." ;;
  esac
  exit 0
  ;;
revert)
  if app_server_running; then
    echo "The application server is running. Stop it before reverting patches."
    exit 1
  fi
  : > "$INSTALLED"
  echo "Loading product and patch information..."
  echo "The patches have been successfully removed."
  exit 0
  ;;
info)
  avail=$(available)
  installed=$(sed '/^$/d' "$INSTALLED" 2>/dev/null | sort -u)
  want=$(printf '%s\\n' "$avail" | sed '/^$/d' | effective)
  echo "Loading product and patch information..."
  echo "Product information:"
  echo "  * installation type: binary"
  echo "  * build number: ${BUILD}"
  echo "  * service pack version:"
  echo "    - available SP version: Not available"
  echo "    - installable SP version: Not available"
  echo "  * patching-tool version: 2.0.15"
  echo "  * time: $(date -u '+%Y-%m-%d %H:%MZ')"
  echo "  * host: $(hostname 2>/dev/null || echo localhost)"
  echo "  * plugins: no plugins detected"
  echo ""
  echo "Currently installed patches:$(printf '%s\\n' "$installed" | sed '/^$/d' | join_lines | sed 's/^./ &/')"
  echo ""
  echo "Available patches:$(printf '%s\\n' "$avail" | sed '/^$/d' | join_lines | sed 's/^./ &/')"
  echo ""
  echo "Detailed patch list:"
  for p in $(printf '%s\\n%s\\n' "$avail" "$installed" | sed '/^$/d' | sort -u); do
    i=' '; w='-'
    printf '%s\\n' "$installed" | grep -qxF "$p" && i='*'
    printf '%s\\n' "$want" | grep -qxF "$p" && w='I'
    printf '%s\\n' "$avail" | grep -qxF "$p" || w='R'
    case "$i$w" in
      '*I') s='Installed; Will be installed.' ;;
      ' I') s='Currently not installed; Will be installed.' ;;
      '*R') s='Installed; Will be removed: the patch file is no longer in the patches folder.' ;;
      '*-') s="Installed; Won't be installed: a newer fix pack contains the fixes included in this one." ;;
      *) s="Currently not installed; Won't be installed: a newer fix pack contains the fixes included in this one." ;;
    esac
    echo "  [$i$w] $p :: $s :: Built for LIFERAY"
  done
  exit 0
  ;;
auto-discovery)
  dir=\${1:-$LIFERAY_HOME}
  if [ ! -e "$dir/.liferay-home" ]; then
    echo "The .liferay-home has not been detected in the given directory tree."
    exit 1
  fi
  {
    echo "patching.mode=binary"
    echo "war.path=$LIFERAY_HOME/tomcat/webapps/ROOT/"
    echo "global.lib.path=$LIFERAY_HOME/tomcat/lib/ext/"
    echo "liferay.home=$dir"
  } > "$props" || exit 1
  echo "Configuration has been written into the \${props##*/}:"
  cat "$props"
  exit 0
  ;;
version)
  echo "Patching-tool version: 2.0.15"
  exit 0
  ;;
''|help)
  echo "Usage: patching-tool.sh [profile] install [-force] | info | revert | auto-discovery [dir] | version"
  exit 0
  ;;
*)
  echo "The $cmd command is not supported by the simulated Patching Tool."
  exit 1
  ;;
esac
`;
}

const SERVER_XML = (port, node) => `<?xml version="1.0" encoding="UTF-8"?>
<!-- server.xml of a simulated Liferay node: the simulator takes its port from sim.json, not from here. -->
<Server port="8005" shutdown="SHUTDOWN">
  <Listener className="org.apache.catalina.startup.VersionLoggerListener" />
  <Listener className="org.apache.catalina.core.AprLifecycleListener" SSLEngine="on" />
  <Listener className="org.apache.catalina.core.JreMemoryLeakPreventionListener" />
  <Listener className="org.apache.catalina.mbeans.GlobalResourcesLifecycleListener" />
  <Listener className="org.apache.catalina.core.ThreadLocalLeakPreventionListener" />

  <Service name="Catalina">
    <Connector port="${port}" protocol="HTTP/1.1"
               connectionTimeout="20000"
               redirectPort="8443"
               maxThreads="150"
               URIEncoding="UTF-8" />

    <Engine name="Catalina" defaultHost="localhost" jvmRoute="${node}">
      <Host name="localhost" appBase="webapps" unpackWARs="true" autoDeploy="true">
        <Valve className="org.apache.catalina.valves.AccessLogValve" directory="logs"
               prefix="localhost_access_log" suffix=".txt"
               pattern="%h %l %u %t &quot;%r&quot; %s %b" />
      </Host>
    </Engine>
  </Service>
</Server>
`;

const PORTAL_EXT = (home, node, clusterDir) => `##
## portal-ext.properties for ${node}
##
## Overrides portal.properties; applied on the next start. (Simulated Liferay node made by lrroll's
## test/sim/make-home.mjs; the simulator only fingerprints this file.)
##

    liferay.home=${home}

##
## JDBC
##

    jdbc.default.driverClassName=org.postgresql.Driver
    jdbc.default.url=jdbc:postgresql://db.internal:5432/lportal
    jdbc.default.username=liferay
    jdbc.default.password=liferay

##
## Cluster Link
##

    cluster.link.enabled=${clusterDir ? 'true' : 'false'}
    cluster.link.autodetect.address=db.internal:5432
    ehcache.cluster.link.replication.enabled=true

##
## Session
##

    # Minutes.
    session.timeout=30
    session.timeout.auto.extend=true

##
## Layouts
##

    layout.show.portlet.access.denied=true
    layout.user.private.layouts.enabled=false

##
## Web Server
##

    web.server.display.node=true
    web.server.protocol=https

    # A value continued on the next line.
    users.reminder.queries.questions=what-is-your-primary-frequent-flyer-number,\\
        what-is-your-library-card-number

##
## Setup Wizard
##

    setup.wizard.enabled=false
`;

const ELASTIC_CONFIG = `operationMode="REMOTE"
transportAddresses=[ \\
  "es1.internal:9300", \\
  "es2.internal:9300", \\
]
clusterName="liferay_cluster"
`;

const LICENSE_XML = (node) => `<?xml version="1.0"?>
<!-- Simulated activation key (lrroll test/sim) -->
<license>
  <account-name>Acme</account-name>
  <owner>${node}</owner>
  <description>Simulated DXP Development license</description>
  <product-name>Digital Enterprise Development</product-name>
  <product-version>7.2</product-version>
  <license-type>developer-cluster</license-type>
  <start-date>Monday, January 1, 2024</start-date>
  <expiration-date>Friday, January 1, 2027</expiration-date>
  <max-servers>4</max-servers>
</license>
`;

// ---------------------------------------------------------------------------------------------

function writeText(file, text, mode = 0o644) {
  mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
  writeFileSync(file, text, { mode });
  chmodSync(file, mode);
}

function positiveInt(value, what) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${what} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * Creates (or refreshes) a simulated Liferay Home and returns its paths.
 * Options: home, node, host, httpPort (required); startMs = 1500, stopMs = 400, responseMs = 0,
 * clusterDir = null, patches = [] (levels such as 'dxp-14' or a comma-separated string),
 * tomcatDir = 'tomcat', nodeBin = process.execPath, sim = test/sim/liferay-sim.mjs,
 * extra = {} (more sim.json fields, e.g. { failStart: true, maxLifetimeMs: 60000 }).
 */
export function makeHome(options) {
  const o = options ?? {};
  for (const k of ['home', 'node', 'host', 'httpPort'])
    if (o[k] === undefined || o[k] === '') throw new Error(`makeHome: ${k} is required`);
  if (!/^[A-Za-z0-9_.-]+$/.test(o.node))
    throw new Error(`makeHome: node name must match [A-Za-z0-9_.-]+, got ${JSON.stringify(o.node)}`);
  const home = resolve(o.home);
  const tomcatDir = o.tomcatDir ?? 'tomcat';
  if (!/^[A-Za-z0-9_.-]+$/.test(tomcatDir))
    throw new Error(`makeHome: tomcatDir must be a plain folder name, got ${JSON.stringify(tomcatDir)}`);
  const tomcat = join(home, tomcatDir);
  const nodeBin = o.nodeBin ?? process.execPath;
  const sim = o.sim ?? realpathSync(join(HERE, 'liferay-sim.mjs'));
  const clusterDir = o.clusterDir ? resolve(o.clusterDir) : null;
  const patches = (Array.isArray(o.patches) ? o.patches : String(o.patches ?? '').split(','))
    .map((p) => String(p).trim())
    .filter((p) => p !== '');

  mkdirSync(home, { recursive: true, mode: 0o755 });
  chmodSync(home, 0o755);
  for (const d of HOME_DIRS) mkdirSync(join(home, d), { recursive: true, mode: 0o755 });
  for (const d of TOMCAT_DIRS) mkdirSync(join(tomcat, d), { recursive: true, mode: 0o755 });
  if (clusterDir) mkdirSync(clusterDir, { recursive: true, mode: 0o755 });

  const simConfig = {
    node: o.node,
    host: o.host,
    httpPort: positiveInt(o.httpPort, 'httpPort'),
    startMs: positiveInt(o.startMs ?? 1500, 'startMs'),
    stopMs: positiveInt(o.stopMs ?? 400, 'stopMs'),
    responseMs: positiveInt(o.responseMs ?? 0, 'responseMs'),
    clusterDir,
    tomcatDir,
    failStart: false,
    neverHealthy: false,
    hangOnStop: false,
    deployIntervalMs: 500,
    maxLifetimeMs: 0,
    ...(o.extra ?? {}),
  };

  writeText(join(home, 'sim.json'), JSON.stringify(simConfig, null, 2) + '\n');
  writeText(join(home, '.liferay-home'), '');
  writeText(join(home, 'portal-ext.properties'), PORTAL_EXT(home, o.node, clusterDir));
  writeText(
    join(home, 'portal-setup-wizard.properties'),
    `admin.email.from.name=Test Test\nliferay.home=${home}\nsetup.wizard.enabled=false\n`,
  );
  writeText(
    join(home, 'osgi/configs/com.liferay.portal.search.elasticsearch7.configuration.ElasticsearchConfiguration.config'),
    ELASTIC_CONFIG,
  );
  writeText(join(home, 'data/license/activation-key-dxp-7.2-development.xml'), LICENSE_XML(o.node));

  writeText(join(tomcat, 'bin/catalina.sh'), catalinaSh({ home, tomcat, nodeBin, sim }), 0o755);
  writeText(
    join(tomcat, 'bin/setenv.sh'),
    '# setenv.sh: sourced by catalina.sh before starting or stopping (JAVA_HOME, CATALINA_OPTS, ...).\n',
    0o755,
  );
  writeText(join(tomcat, 'conf/server.xml'), SERVER_XML(simConfig.httpPort, o.node));
  writeText(join(tomcat, 'conf/Catalina/localhost/ROOT.xml'), '<Context path="" crossContext="true" />\n');
  writeZip(join(tomcat, 'lib/postgresql-42.2.5.jar'), {
    'META-INF/MANIFEST.MF':
      'Manifest-Version: 1.0\r\nBundle-SymbolicName: org.postgresql.jdbc42\r\nBundle-Version: 42.2.5\r\n\r\n',
  });
  writeText(
    join(tomcat, 'webapps/ROOT/WEB-INF/web.xml'),
    '<?xml version="1.0"?>\n<web-app version="3.0"><display-name>Liferay (simulated)</display-name></web-app>\n',
  );
  writeText(join(tomcat, 'logs/catalina.out'), '', 0o644);

  const pt = join(home, 'patching-tool');
  writeText(join(pt, 'patching-tool.sh'), patchingToolSh({ home }), 0o755);
  writeText(
    join(pt, 'default.properties'),
    `patching.mode=binary\nwar.path=${tomcat}/webapps/ROOT/\nglobal.lib.path=${tomcat}` +
      `/lib/ext/\nliferay.home=${home}\n`,
  );
  const names = patches.map((p) => makePatchZip(join(pt, 'patches'), p).name);
  if (names.length > 0 || !existsSync(join(pt, '.installed')))
    writeText(join(pt, '.installed'), names.map((n) => `${n}\n`).join(''));

  return {
    home,
    tomcat,
    node: o.node,
    host: o.host,
    httpPort: simConfig.httpPort,
    catalina: join(tomcat, 'bin/catalina.sh'),
    setenv: join(tomcat, 'bin/setenv.sh'),
    log: join(tomcat, 'logs/catalina.out'),
    pidFile: join(home, 'liferay.pid'),
    patchingTool: join(pt, 'patching-tool.sh'),
    simJson: join(home, 'sim.json'),
    clusterDir,
    patches: names,
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${simConfig.httpPort}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Command line

const USAGE =
  'usage: node make-home.mjs --home <dir> --node <name> --host <addr> --http-port <port> [--start-ms ' +
  '1500] [--stop-ms 400] [--response-ms 0] [--cluster-dir <dir>] [--patches dxp-14[,hotfix-1234]] ' +
  '[--tomcat-dir tomcat] [--node-bin <path>] [--sim <path>] [--extra <sim.json fields as JSON>]';

function parseArgs(argv) {
  const names = {
    '--home': 'home',
    '--node': 'node',
    '--host': 'host',
    '--http-port': 'httpPort',
    '--start-ms': 'startMs',
    '--stop-ms': 'stopMs',
    '--response-ms': 'responseMs',
    '--cluster-dir': 'clusterDir',
    '--patches': 'patches',
    '--tomcat-dir': 'tomcatDir',
    '--node-bin': 'nodeBin',
    '--sim': 'sim',
    '--extra': 'extra',
  };
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const key = names[arg];
    if (!key) throw new Error(`unknown option ${arg}`);
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      value = argv[++i];
    }
    out[key] = key === 'extra' ? JSON.parse(value) : value;
  }
  return out;
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  try {
    const result = makeHome(parseArgs(process.argv.slice(2)));
    console.log(JSON.stringify(result, null, 2));
  } catch (err) {
    console.error(`make-home: ${err instanceof Error ? err.message : String(err)}`);
    console.error(USAGE);
    process.exit(2);
  }
}

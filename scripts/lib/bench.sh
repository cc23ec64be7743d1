# Shared by the benchmark commands that run the real `sluice serve` jar (scripts/bench-xds-fanout,
# scripts/bench-attack-mix): ports, the xDS load client's jar, and what they read of a JVM's memory
# and CPU. Source it after setting ROOT and defining say().

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
heap_after_gc_mib() { # PID: full GC, then the heap in use and committed: "USED COMMITTED"
  jcmd "$1" GC.run >/dev/null
  jcmd "$1" GC.heap_info | sed -n 's/.* total \([0-9]*\)K, used \([0-9]*\)K.*/\2 \1/p' | head -n 1 \
    | awk '{printf "%.0f %.0f", $1 / 1024, $2 / 1024}'
}
status_mib() { sed -n "s/^$2:\s*\([0-9]*\) kB/\1/p" "/proc/$1/status" | awk '{printf "%.0f", $1 / 1024}'; } # PID VmRSS|VmHWM

# loadtest_jar: builds xds-loadtest/target/xds-loadtest.jar if it is missing or older than its
# sources, and prints its path
loadtest_jar() {
  local jar="$ROOT/xds-loadtest/target/xds-loadtest.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "$ROOT/xds-loadtest/pom.xml" "$ROOT/xds-loadtest/src/main" -newer "$jar" -print -quit)" ]; then
    say "building $jar"
    (cd "$ROOT" && { ./mvnw -B -q -o -pl xds-loadtest -DskipTests package || ./mvnw -B -q -pl xds-loadtest -DskipTests package; }) >&2
  fi
  echo "$jar"
}

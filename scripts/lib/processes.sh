# Shared by scripts/demo and scripts/quickstart: start local processes, wait for them, stop them
# all (newest first) on exit. Source it after setting ROOT and defining say().

http_status() { # URL -> HTTP status, or 000 when nothing answers
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

PIDS=()
NAMES=()
cleanup() {
  trap - EXIT INT TERM
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill -TERM "${PIDS[$i]}" 2>/dev/null || true
  done
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    # up to 5 s for a clean exit, then SIGKILL
    for _ in $(seq 50); do kill -0 "${PIDS[$i]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${PIDS[$i]}" 2>/dev/null || true
    wait "${PIDS[$i]}" 2>/dev/null || true
  done
  if [ ${#PIDS[@]} -gt 0 ]; then say "stopped ${NAMES[*]}"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start() { # NAME LOGFILE COMMAND...
  local name="$1" log="$2"
  shift 2
  "$@" >"$log" 2>&1 &
  PIDS+=("$!")
  NAMES+=("$name")
  say "started $name (pid $!), log: ${log#"$ROOT"/}"
}

await_http() { # NAME URL PID LOG SECONDS: wait for 200 while PID lives
  local name="$1" url="$2" pid="$3" log="$4" seconds="$5" status=000
  local deadline=$((SECONDS + seconds))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "$name exited; last lines of ${log#"$ROOT"/}:"
      tail -n 30 "$log" >&2 || true
      exit 1
    fi
    status="$(http_status "$url")"
    [ "$status" = 200 ] && return 0
    sleep 0.2
  done
  say "$name: $url did not return 200 within ${seconds}s (last status $status); last lines of ${log#"$ROOT"/}:"
  tail -n 30 "$log" >&2 || true
  exit 1
}

require_free_ports() { # PORT...
  local port
  for port in "$@"; do
    if port_in_use "$port"; then
      say "port $port is already in use (another demo or quickstart still running?); stop it first"
      exit 1
    fi
  done
}

run_until_one_exits() { # wait for Ctrl-C, or until one of the processes dies
  set +e
  wait -n "${PIDS[@]}"
  local rc=$?
  set -e
  local i
  for i in "${!PIDS[@]}"; do
    if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
      say "${NAMES[$i]} exited (status $rc); see ${LOGS#"$ROOT"/}/${NAMES[$i]}.log"
    fi
  done
  exit 1
}

start_consul() { # a Consul dev agent on 127.0.0.1:8500 (HTTP only), logs in $LOGS/consul.log
  local bin
  bin="$(scripts/install-consul)"
  start consul "$LOGS/consul.log" "$bin" agent -dev -bind 127.0.0.1 -client 127.0.0.1 \
    -http-port 8500 -dns-port -1 -grpc-port -1 -grpc-tls-port -1 -log-level warn
  await_http consul http://127.0.0.1:8500/v1/status/leader "${PIDS[-1]}" "$LOGS/consul.log" 30
  local try # the agent answers before it has elected itself leader
  for try in $(seq 100); do
    [ "$(curl -s --max-time 2 http://127.0.0.1:8500/v1/status/leader)" != '""' ] && return 0
    sleep 0.2
  done
  say "Consul elected no leader within 20 s; see ${LOGS#"$ROOT"/}/consul.log"
  exit 1
}

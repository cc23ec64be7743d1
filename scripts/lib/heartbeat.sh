# shellcheck shell=bash
# with_heartbeat LABEL ESTIMATE COMMAND...: runs COMMAND and, every 10 s while it runs, says on
# stderr that LABEL is still working, how long it has taken so far and what it usually takes
# (ESTIMATE), so a long step is never silent. Returns COMMAND's exit status.
with_heartbeat() {
  local label="$1" estimate="$2" start=$SECONDS pid tick
  shift 2
  "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for tick in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$label: still working, $((SECONDS - start)) s so far ($estimate)" >&2
    fi
  done
  wait "$pid"
}

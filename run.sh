#!/usr/bin/env bash
# Realm: the one entry point. `./run.sh --help` lists the commands.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

CONFIG=Release
TFM=net10.0
SERVER_DLL="Server/bin/$CONFIG/$TFM/Realm.Server.dll"
LOADTESTER_DLL="LoadTester/bin/$CONFIG/$TFM/Realm.LoadTester.dll"

usage() {
  cat <<'EOF'
Usage: ./run.sh [COMMAND] [ARGS...]

Commands:
  (none) | server [OPTIONS]   Build if needed and start the game server on its embedded default
                              (SQLite under ./data, in-process locks, UDP 127.0.0.1:7777).
                              OPTIONS: --port N, --host ADDR, --sqlite PATH, --log-level LEVEL,
                              or any option as --Section:Key=value (see README, Configuration).
                              Ctrl+C or SIGTERM stops it cleanly.
  test [DOTNET-TEST-ARGS]     Install MariaDB, Redis and Chromium if missing, start a MariaDB primary,
                              a GTID replica of it and three Redis instances on loopback in a
                              temporary folder, run every test, stop them, and print
                              "N passed, N failed". Extra args go to `dotnet test`
                              (e.g. --filter "FullyQualifiedName~Hosting").
  services                    Start the same test services, print their REALM_TEST_* variables as
                              `export` lines, and keep them up until Ctrl+C (to run single tests).
  loadtest [ARGS]             Run the LoadTester with ARGS (`./run.sh loadtest --help`).
  shards simulate [ARGS]      Keys moved and balance per routing strategy when the shard count changes
                              (--keys K --from A --to B).
  bench [FILTER] [ARGS]       Run Server.Benchmarks through BenchmarkDotNet's switcher
                              (no FILTER: list the benchmarks).
  build                       Build the whole solution in Release.
  --help | -h | help          This text.

Environment for `test`: CI=true turns a missing test service into a failure instead of a skip.
EOF
}

log() { printf 'run.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

require_dotnet() {
  command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH; Realm needs SDK 10.0.4xx (global.json)"
}

# True when the output is missing or any source that feeds it is newer.
stale() {
  local output=$1; shift
  [ -f "$output" ] || return 0
  [ -n "$(find "$@" Directory.Build.props Directory.Packages.props global.json .editorconfig \
      -newer "$output" -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.json' -o -name '*.props' -o -name '.editorconfig' \) \
      -not -path '*/bin/*' -not -path '*/obj/*' -print -quit 2>/dev/null)" ]
}

build_project() {
  local project=$1
  log "building $project ($CONFIG)"
  dotnet build "$project" -c "$CONFIG" --nologo -v quiet -clp:NoSummary >&2 || die "build of $project failed"
}

cmd_server() {
  require_dotnet
  if stale "$SERVER_DLL" Server Server.Data; then build_project Server/Server.csproj; fi
  exec dotnet "$SERVER_DLL" "$@"
}

cmd_loadtest() {
  require_dotnet
  if stale "$LOADTESTER_DLL" LoadTester Server Server.Data; then build_project LoadTester/LoadTester.csproj; fi
  exec dotnet "$LOADTESTER_DLL" "$@"
}

cmd_bench() {
  require_dotnet
  local dll="Server.Benchmarks/bin/$CONFIG/$TFM/Realm.Server.Benchmarks.dll"
  if stale "$dll" Server.Benchmarks Server Server.Data; then build_project Server.Benchmarks/Realm.Server.Benchmarks.csproj; fi
  if [ $# -eq 0 ]; then
    log "no filter given; the benchmarks are listed below. Run one with: ./run.sh bench '*Name*'"
    exec dotnet "$dll" --list flat
  fi
  if [[ $1 != -* ]]; then
    local filter=$1; shift
    exec dotnet "$dll" --filter "$filter" "$@"
  fi
  exec dotnet "$dll" "$@"
}

# ------------------------------------------------------------------------------------------------
# test: real MariaDB and Redis, started here and stopped here.
# ------------------------------------------------------------------------------------------------

WORK=""
STARTED_PIDS=()
POLICY_RC_CREATED=""

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    die "installing packages needs root: run as root or install $* by hand"; fi
}

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }

ensure_packages() {
  local missing=()
  have mariadbd || missing+=(mariadb-server)
  have mariadb-install-db || missing+=(mariadb-server)
  have mariadb || missing+=(mariadb-client)
  have mariadb-admin || missing+=(mariadb-client)
  have redis-server || missing+=(redis-server)
  have redis-cli || missing+=(redis-tools)
  have chromium || missing+=(chromium)   # the load-test report is checked in headless Chromium
  [ ${#missing[@]} -eq 0 ] && return 0
  # Unique names, in order.
  local unique=() p
  for p in "${missing[@]}"; do [[ " ${unique[*]} " == *" $p "* ]] || unique+=("$p"); done
  log "installing ${unique[*]} with apt-get"
  # Keep the packages' own services from starting: the tests run their own instances on other ports.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
    POLICY_RC_CREATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${unique[@]}" >&2
  if [ -n "$POLICY_RC_CREATED" ]; then as_root rm -f /usr/sbin/policy-rc.d; POLICY_RC_CREATED=""; fi
}

bin() { if command -v "$1" >/dev/null 2>&1; then command -v "$1"; elif [ -x "/usr/sbin/$1" ]; then echo "/usr/sbin/$1"; else echo "/usr/bin/$1"; fi; }

# True when nothing listens on 127.0.0.1:PORT (TCP).
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints the first free port at or above $1 that is not in the list $2.
pick_port() {
  local port=$1 taken=${2:-}
  while ! port_free "$port" || [[ " $taken " == *" $port "* ]]; do
    port=$((port + 1))
    [ "$port" -lt $(($1 + 200)) ] || die "no free port in $1..$((port - 1))"
  done
  echo "$port"
}

# Waits until "$@" succeeds, up to $TIMEOUT seconds, failing early when pid $PID has died.
wait_until() {
  local what=$1 pid=$2 timeout=$3; shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { log "$what exited during start-up"; return 1; }
    [ "$SECONDS" -lt "$deadline" ] || { log "$what did not answer within ${timeout}s"; return 1; }
    sleep 0.2
  done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local pid
  for pid in "${STARTED_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STARTED_PIDS[@]}"; do
    local waited=0
    while kill -0 "$pid" 2>/dev/null && [ $waited -lt 150 ]; do sleep 0.1; waited=$((waited + 1)); done
    if kill -0 "$pid" 2>/dev/null; then log "pid $pid did not stop on SIGTERM; killing it"; kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
  done
  # A MariaDB restarted by a test (control.sh start) is not our child: stop it through its pid file.
  local pidfile
  for pidfile in "$WORK"/mariadb*/mysqld.pid; do
    [ -n "$WORK" ] && [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
      local waited=0
      while kill -0 "$pid" 2>/dev/null && [ $waited -lt 150 ]; do sleep 0.1; waited=$((waited + 1)); done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  # A Redis restarted by a test (redis-control.sh start) is not our child either.
  for pidfile in "$WORK"/redis-*/redis.pid; do
    [ -n "$WORK" ] && [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
      local waited=0
      while kill -0 "$pid" 2>/dev/null && [ $waited -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  if [ -n "$POLICY_RC_CREATED" ]; then as_root rm -f /usr/sbin/policy-rc.d || true; fi
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then rm -rf "$WORK"; fi
  exit "$rc"
}

# Starts one mariadbd in $WORK/NAME on a free port at or above BASE, with EXTRA server options; sets
# MARIADB_PORT and MARIADB_SOCK and writes $WORK/NAME/control.sh (see write_mariadb_control).
start_mariadb_instance() {
  local name=$1 base=$2; shift 2
  local user dir datadir sock port
  user=$(id -un)
  port=$(pick_port "$base")
  dir="$WORK/$name"
  datadir="$dir/data"
  sock="$dir/mysqld.sock"
  mkdir -p "$datadir"
  log "starting MariaDB ($name) on 127.0.0.1:$port"
  "$(bin mariadb-install-db)" --no-defaults --datadir="$datadir" --user="$user" \
    --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 \
    || { cat "$dir/install.log" >&2; die "mariadb-install-db ($name) failed"; }
  local args=(--no-defaults --datadir="$datadir" --user="$user"
    --port="$port" --bind-address=127.0.0.1 --socket="$sock"
    --pid-file="$dir/mysqld.pid" --log-error="$dir/error.log"
    --skip-name-resolve --innodb-buffer-pool-size=256M --max-connections=500 --open-files-limit=4096
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci "$@")
  "$(bin mariadbd)" "${args[@]}" &
  local pid=$!
  STARTED_PIDS+=("$pid")
  wait_until "MariaDB ($name)" "$pid" 60 "$(bin mariadb-admin)" --no-defaults --socket="$sock" -uroot ping \
    || { tail -n 30 "$dir/error.log" >&2; die "MariaDB ($name) did not start"; }
  write_mariadb_control "$dir" "$sock" "${args[@]}"
  MARIADB_PORT=$port
  MARIADB_SOCK=$sock
}

# The primary (binary log with GTIDs) and one replica of it (GTID replication over loopback, read-only),
# so replica routing and read-your-writes are tested against real replication lag.
start_mariadb() {
  start_mariadb_instance mariadb 3307 --server-id=1 --log-bin=primary-bin --binlog-format=ROW
  local primary_port=$MARIADB_PORT primary_sock=$MARIADB_SOCK
  # Everything below reaches the replica through the binary log, users and grants included.
  # REPLICATION SLAVE ADMIN and SLAVE MONITOR let the tests pause a replica's applier to create lag.
  "$(bin mariadb)" --no-defaults --socket="$primary_sock" -uroot <<'SQL'
CREATE USER 'realm'@'127.0.0.1' IDENTIFIED BY 'realm-test';
CREATE USER 'realm'@'localhost' IDENTIFIED BY 'realm-test';
GRANT ALL PRIVILEGES ON `realm%`.* TO 'realm'@'127.0.0.1';
GRANT ALL PRIVILEGES ON `realm%`.* TO 'realm'@'localhost';
GRANT REPLICATION SLAVE ADMIN, SLAVE MONITOR ON *.* TO 'realm'@'127.0.0.1';
GRANT REPLICATION SLAVE ADMIN, SLAVE MONITOR ON *.* TO 'realm'@'localhost';
CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl-test';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';
CREATE DATABASE realm_test;
FLUSH PRIVILEGES;
SQL
  export REALM_TEST_MYSQL="Server=127.0.0.1;Port=$primary_port;User ID=realm;Password=realm-test;Database=realm_test;SslMode=None"
  export REALM_TEST_MYSQL_CONTROL="$WORK/mariadb/control.sh"

  start_mariadb_instance mariadb-replica $((primary_port + 1)) --server-id=2 --read-only=1 --relay-log=replica-relay
  local replica_port=$MARIADB_PORT replica_sock=$MARIADB_SOCK
  "$(bin mariadb)" --no-defaults --socket="$replica_sock" -uroot <<SQL
CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$primary_port, MASTER_USER='repl',
  MASTER_PASSWORD='repl-test', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;
START SLAVE;
SQL
  # Wait until the replica has applied everything above (the users and realm_test).
  local position caught
  position=$("$(bin mariadb)" --no-defaults --socket="$primary_sock" -uroot -N -e 'SELECT @@gtid_binlog_pos')
  caught=$("$(bin mariadb)" --no-defaults --socket="$replica_sock" -uroot -N -e "SELECT MASTER_GTID_WAIT('$position', 60)")
  [ "$caught" = 0 ] || { tail -n 30 "$WORK/mariadb-replica/error.log" >&2; die "the replica did not catch up with the primary ($position)"; }
  export REALM_TEST_MYSQL_REPLICA="Server=127.0.0.1;Port=$replica_port;User ID=realm;Password=realm-test;Database=realm_test;SslMode=None"
  export REALM_TEST_MYSQL_REPLICA_CONTROL="$WORK/mariadb-replica/control.sh"
}

# The `kill` branch of a generated control script: SIGKILL the pid in \$pidfile and wait until it is gone.
kill_case() {
  cat <<EOF
  kill)
    pid=\$(cat "\$pidfile" 2>/dev/null || true)
    [ -n "\$pid" ] || { echo "no $1 pid file (\$pidfile)" >&2; exit 1; }
    kill -KILL "\$pid"
    for _ in \$(seq 1 100); do kill -0 "\$pid" 2>/dev/null || { rm -f "\$pidfile"; exit 0; }; sleep 0.1; done
    echo "$1 \$pid did not die" >&2; exit 1 ;;
EOF
}

# Writes DIR/control.sh: `kill` (SIGKILL, no clean shutdown) and `start` (same data and port) for the
# tests that take a database server away and bring it back.
write_mariadb_control() {
  local dir=$1 sock=$2; shift 2
  local quoted="" a
  for a in "$@"; do quoted+=" $(printf '%q' "$a")"; done
  cat >"$dir/control.sh" <<EOF
#!/usr/bin/env bash
set -euo pipefail
pidfile=$(printf '%q' "$dir/mysqld.pid")
case "\${1:-}" in
$(kill_case MariaDB)
  start)
    setsid $(printf '%q' "$(bin mariadbd)")$quoted </dev/null >/dev/null 2>&1 &
    for _ in \$(seq 1 600); do
      $(printf '%q' "$(bin mariadb-admin)") --no-defaults --socket=$(printf '%q' "$sock") -uroot ping >/dev/null 2>&1 && exit 0
      sleep 0.1
    done
    echo "mariadbd did not answer within 60 s" >&2; exit 1 ;;
  *) echo "usage: \$0 kill|start" >&2; exit 2 ;;
esac
EOF
  chmod +x "$dir/control.sh"
}

start_redis() {
  local count=$1 base=6380 ports=() i port
  for ((i = 0; i < count; i++)); do
    port=$(pick_port "$base" "${ports[*]:-}")
    ports+=("$port")
    mkdir -p "$WORK/redis-$port"
    log "starting Redis on 127.0.0.1:$port"
    "$(bin redis-server)" --port "$port" --bind 127.0.0.1 --protected-mode yes \
      --save '' --appendonly no --dir "$WORK/redis-$port" --daemonize no \
      --logfile "$WORK/redis-$port/redis.log" --pidfile "$WORK/redis-$port/redis.pid" &
    local pid=$!
    STARTED_PIDS+=("$pid")
    wait_until "Redis :$port" "$pid" 20 sh -c "[ \"\$('$(bin redis-cli)' -h 127.0.0.1 -p $port ping)\" = PONG ]" \
      || { tail -n 20 "$WORK/redis-$port/redis.log" >&2; die "Redis on port $port did not start"; }
  done
  local list="" p
  for p in "${ports[@]}"; do list+="${list:+,}127.0.0.1:$p"; done
  export REALM_TEST_REDIS="$list"
  write_redis_control
  export REALM_TEST_REDIS_CONTROL="$WORK/redis-control.sh"
}

# Writes $WORK/redis-control.sh: `kill PORT` (SIGKILL: the data is gone, as in a crash without persistence)
# and `start PORT` (same port and folder, returns once it answers) for the tests that take a Redis away.
write_redis_control() {
  local work server cli
  work=$(printf '%q' "$WORK")
  server=$(printf '%q' "$(bin redis-server)")
  cli=$(printf '%q' "$(bin redis-cli)")
  cat >"$WORK/redis-control.sh" <<EOF
#!/usr/bin/env bash
set -euo pipefail
port=\${2:-}
if ! [[ "\$port" =~ ^[0-9]+\$ ]] || [ ! -d $work/redis-\$port ]; then
  echo "usage: \$0 kill|start PORT (a Redis that run.sh started)" >&2; exit 2
fi
dir=$work/redis-\$port
pidfile="\$dir/redis.pid"
case "\$1" in
$(kill_case Redis)
  start)
    setsid $server --port "\$port" --bind 127.0.0.1 --protected-mode yes --save '' --appendonly no \\
      --dir "\$dir" --daemonize no --logfile "\$dir/redis.log" --pidfile "\$dir/redis.pid" </dev/null >/dev/null 2>&1 &
    for _ in \$(seq 1 200); do
      [ "\$($cli -h 127.0.0.1 -p "\$port" ping 2>/dev/null)" = PONG ] && exit 0
      sleep 0.1
    done
    echo "redis-server on port \$port did not answer within 20 s" >&2; exit 1 ;;
  *) echo "usage: \$0 kill|start PORT" >&2; exit 2 ;;
esac
EOF
  chmod +x "$WORK/redis-control.sh"
}

# Sums the <Counters> of every trx file: prints "passed failed skipped".
sum_trx() {
  local passed=0 failed=0 skipped=0 f line
  for f in "$1"/*.trx; do
    [ -e "$f" ] || continue
    line=$(grep -o '<Counters [^>]*>' "$f" | head -n 1)
    attr() { printf '%s' "$line" | sed -n "s/.* $1=\"\\([0-9]*\\)\".*/\\1/p"; }
    passed=$((passed + $(attr passed)))
    failed=$((failed + $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted)))
    skipped=$((skipped + $(attr notExecuted)))
  done
  echo "$passed $failed $skipped"
}

# Prints each failed test of every trx file with the start of its message and stack, so that the tail of
# a CI log names what failed (the console logger prints it far above the summary).
report_failures() {
  local f
  for f in "$1"/*.trx; do
    [ -e "$f" ] || continue
    awk '
      /<UnitTestResult / && /outcome="(Failed|Error|Timeout|Aborted)"/ {
        name = $0; sub(/.*testName="/, "", name); sub(/".*/, "", name); gsub(/&quot;/, "\"", name)
        print "FAILED: " name; inside = 1; lines = 0; next
      }
      inside && /<\/UnitTestResult>/ { inside = 0; next }
      inside && lines < 25 {
        line = $0; gsub(/<[^>]*>/, "", line); gsub(/&lt;/, "<", line); gsub(/&gt;/, ">", line)
        gsub(/&quot;/, "\"", line); gsub(/&amp;/, "\\&", line)
        if (line ~ /[^ \t]/) { print "    " line; lines++ }
      }' "$f"
  done
}

# Installs what is missing and starts every test service in a fresh $WORK; cleanup stops them on exit.
start_services() {
  ensure_packages
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/realm-test.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  start_mariadb
  start_redis 3
  log "REALM_TEST_MYSQL=$(printf '%s' "$REALM_TEST_MYSQL" | sed 's/Password=[^;]*/Password=***/')"
  log "REALM_TEST_MYSQL_REPLICA=$(printf '%s' "$REALM_TEST_MYSQL_REPLICA" | sed 's/Password=[^;]*/Password=***/')"
  log "REALM_TEST_REDIS=$REALM_TEST_REDIS"
}

cmd_services() {
  start_services
  local v
  for v in REALM_TEST_MYSQL REALM_TEST_MYSQL_CONTROL REALM_TEST_MYSQL_REPLICA REALM_TEST_MYSQL_REPLICA_CONTROL \
    REALM_TEST_REDIS REALM_TEST_REDIS_CONTROL; do
    printf 'export %s=%q\n' "$v" "${!v}"
  done
  log "services are up; Ctrl+C (or SIGINT/SIGTERM to this script) stops them"
  # wait on a background sleep: bash runs the INT/TERM traps at once, not after a foreground sleep ends
  local pid
  while true; do
    sleep 3600 &
    pid=$!
    STARTED_PIDS+=("$pid")   # so that cleanup stops it too
    wait "$pid" || true
  done
}

cmd_test() {
  require_dotnet
  start_services

  local results="$WORK/results" rc=0
  log "building and running every test in Realm.sln"
  dotnet build Realm.sln -c "$CONFIG" --nologo -v quiet -clp:NoSummary >&2 || die "build failed"
  dotnet test Realm.sln -c "$CONFIG" --no-build --nologo \
    --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@" || rc=$?

  local passed failed skipped
  read -r passed failed skipped < <(sum_trx "$results")
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    log "dotnet test exited with $rc but reported no failed test (crashed or aborted run); counting it as a failure"
    failed=1
  fi
  [ "$failed" -ne 0 ] && report_failures "$results"
  echo "$passed passed, $failed failed, $skipped skipped"
  if [ "$failed" -ne 0 ] || [ $((passed + failed)) -eq 0 ]; then
    [ $((passed + failed)) -eq 0 ] && log "no test ran"
    exit 1
  fi
}

case "${1:-}" in
  "") cmd_server ;;
  server) shift; cmd_server "$@" ;;
  test) shift; cmd_test "$@" ;;
  services) cmd_services ;;
  loadtest) shift; cmd_loadtest "$@" ;;
  shards) shift; cmd_loadtest shards "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  build) require_dotnet; dotnet build Realm.sln -c "$CONFIG" --nologo ;;
  -h|--help|help) usage ;;
  --*) cmd_server "$@" ;;
  *) usage >&2; die "unknown command: $1" ;;
esac

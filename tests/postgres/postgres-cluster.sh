#!/bin/sh
# A throwaway PostgreSQL server for the tests, started from Debian's
# postgresql package: initdb and pg_ctl in a temporary folder, as an
# unprivileged user (nobody when run as root: PostgreSQL refuses root), on a
# unix socket in that folder and a free loopback port with TLS (a
# certificate made here for IP 127.0.0.1). Trust authentication: only this
# machine's loopback and the private socket reach it.
#
#   postgres-cluster.sh start STATE_DIR   starts it; writes STATE_DIR/host
#                                         (the socket folder), port, ca.pem
#   postgres-cluster.sh stop STATE_DIR    stops it and removes its folder
#   postgres-cluster.sh restart STATE_DIR stop then start on the same folder
#                                         and port (the data survives)
#   postgres-cluster.sh halt STATE_DIR    stops it, keeping the folder
#   postgres-cluster.sh resume STATE_DIR  starts a halted one again
#
# The superuser is segel_test; the database postgres is there to connect to.
# fsync and synchronous commits are off unless SEGEL_PG_DURABLE=1 (benchmarks).
set -eu

action=${1:?usage: postgres-cluster.sh start|stop|restart|halt|resume STATE_DIR}
state=${2:?usage: postgres-cluster.sh start|stop|restart|halt|resume STATE_DIR}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "postgres-cluster.sh: PostgreSQL's server is not installed (Debian package postgresql)" >&2
    exit 1
fi

as_server_user() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u nobody -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_server() {
    base=$(cat "$state/base")
    as_server_user "$bindir/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 start >/dev/null ||
        { cat "$base/server.log" >&2; exit 1; }
}

stop_server() {
    [ -f "$state/base" ] || return 0
    base=$(cat "$state/base")
    [ -d "$base/data" ] || return 0
    as_server_user "$bindir/pg_ctl" -D "$base/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

start() {
    stop_server
    if [ -f "$state/base" ]; then rm -rf "$(cat "$state/base")"; fi
    mkdir -p "$state"
    base=$(mktemp -d /tmp/segel-pg.XXXXXX)
    chmod 755 "$base"
    [ "$(id -u)" -ne 0 ] || chown nobody "$base"
    as_server_user "$bindir/initdb" -D "$base/data" -U segel_test --auth=trust -E UTF8 --locale=C.UTF-8 \
        --no-sync >"$state/initdb.log" 2>&1 || { cat "$state/initdb.log" >&2; exit 1; }
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3 -subj /CN=127.0.0.1 \
        -addext subjectAltName=IP:127.0.0.1 -keyout "$base/server.key" -out "$base/server.crt" 2>/dev/null
    chmod 600 "$base/server.key"
    [ "$(id -u)" -ne 0 ] || chown nobody "$base/server.key" "$base/server.crt"
    port=$(free_port)
    cat >>"$base/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$base'
ssl = on
ssl_cert_file = '$base/server.crt'
ssl_key_file = '$base/server.key'
max_connections = 200
CONF
    # Tests trade durability for speed; benchmarks (SEGEL_PG_DURABLE=1) keep
    # the server's defaults, as a production server has them.
    [ "${SEGEL_PG_DURABLE:-0}" = 1 ] || printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' \
        >>"$base/data/postgresql.conf"
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$base/data/pg_hba.conf"
    echo "$base" >"$state/base"
    echo "$base" >"$state/host"
    echo "$port" >"$state/port"
    cp "$base/server.crt" "$state/ca.pem"
    start_server
}

case "$action" in
    start) start ;;
    stop)
        stop_server
        if [ -f "$state/base" ]; then rm -rf "$(cat "$state/base")"; fi
        rm -f "$state/base" "$state/host" "$state/port"
        ;;
    halt) stop_server ;;
    resume) start_server ;;
    restart) stop_server; start_server ;;
    *) echo "postgres-cluster.sh: unknown action $action" >&2; exit 2 ;;
esac

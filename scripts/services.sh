#!/usr/bin/env bash
# services.sh — make sure the databases the change-data-capture sources and
# their integration tests need are running on loopback, configured for
# logical replication (PostgreSQL) and row-based binary logging (MariaDB).
#
# Idempotent: settings are written to drop-in files, and a server is
# restarted only when a setting that needs a restart is not yet in force.
# Servers already installed are reconfigured; missing ones are installed
# with apt-get. Works as root, or through sudo when not root.
#
# Afterwards:
#   PostgreSQL 127.0.0.1:5432  wal_level=logical, role vigil/vigil (LOGIN REPLICATION), database test
#   MariaDB    127.0.0.1:3306  log_bin, binlog_format=ROW, binlog_row_image=FULL,
#                              binlog_row_metadata=FULL, server_id=1, user vigil/vigil, database test
set -euo pipefail

log() { printf 'services: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
	SUDO=()
elif command -v sudo >/dev/null 2>&1; then
	SUDO=(sudo -n)
else
	die "must run as root (or with sudo available) to configure the database servers"
fi
as_root() { "${SUDO[@]}" "$@"; }

# systemd is PID 1 on ordinary machines; containers and CI sandboxes often
# run the servers as plain daemons, so both ways are supported.
have_systemd() { [ -d /run/systemd/system ]; }

apt_updated=0
apt_install() {
	if [ "$apt_updated" -eq 0 ]; then
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
		apt_updated=1
	fi
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # wait_for SECONDS CMD... — poll until CMD succeeds
	local n=$(($1 * 5)); shift
	while [ "$n" -gt 0 ]; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.2; n=$((n - 1))
	done
	return 1
}

# ---------------------------------------------------------------- PostgreSQL

pg_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }

pg_psql() { as_root su postgres -s /bin/sh -c "psql -X -q -At -v ON_ERROR_STOP=1 $(printf '%q ' "$@")"; }

pg_ready() { pg_psql -c 'select 1' >/dev/null 2>&1; }

pg_ctl_cluster() { # pg_ctl_cluster start|restart
	local v; v=$(pg_version)
	if have_systemd; then
		as_root systemctl "$1" "postgresql@${v}-main"
	else
		as_root pg_ctlcluster --skip-systemctl-redirect "$v" main "$1"
	fi
}

ensure_postgres() {
	if [ -z "$(pg_version)" ] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
		log "installing PostgreSQL"
		apt_install postgresql
	fi
	local v conf
	v=$(pg_version)
	[ -n "$v" ] || die "PostgreSQL installed but no cluster under /etc/postgresql"
	conf=/etc/postgresql/$v/main/conf.d/91-vigil-cdc.conf
	# Debian's postgresql.conf includes conf.d/, so a drop-in keeps our
	# settings apart from the distribution's file.
	local want
	want=$(cat <<-'EOF'
		# Written by vigil scripts/services.sh: logical replication for the CDC sources.
		listen_addresses = '127.0.0.1'
		wal_level = logical
		max_replication_slots = 20
		max_wal_senders = 20
	EOF
	)
	if [ ! -f "$conf" ] || [ "$(as_root cat "$conf")" != "$want" ]; then
		as_root mkdir -p "$(dirname "$conf")"
		printf '%s\n' "$want" | as_root tee "$conf" >/dev/null
		log "wrote $conf"
	fi

	if ! pg_ready; then
		log "starting PostgreSQL $v"
		pg_ctl_cluster start || true
		wait_for 30 pg_ready || die "PostgreSQL $v did not start"
	fi
	# wal_level and the slot limits only change on restart.
	if [ "$(pg_psql -c 'show wal_level')" != logical ] ||
		[ "$(pg_psql -c 'show max_replication_slots')" -lt 20 ] ||
		[ "$(pg_psql -c 'show max_wal_senders')" -lt 20 ]; then
		log "restarting PostgreSQL $v for wal_level=logical"
		pg_ctl_cluster restart
		wait_for 30 pg_ready || die "PostgreSQL $v did not come back"
	fi
	[ "$(pg_psql -c 'show wal_level')" = logical ] || die "PostgreSQL wal_level is still not logical"

	pg_psql <<-'EOF'
		DO $$
		BEGIN
		  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vigil') THEN
		    CREATE ROLE vigil LOGIN REPLICATION PASSWORD 'vigil';
		  ELSE
		    ALTER ROLE vigil LOGIN REPLICATION;
		  END IF;
		END $$;
	EOF
	if [ "$(pg_psql -c "select count(*) from pg_database where datname = 'test'")" = 0 ]; then
		pg_psql -c 'CREATE DATABASE test'
	fi
	# The vigil role creates publications and reads the tables it follows.
	pg_psql -d test -c 'GRANT ALL ON DATABASE test TO vigil' -c 'GRANT ALL ON SCHEMA public TO vigil'
	log "PostgreSQL $v ready on 127.0.0.1:5432 (wal_level=logical)"
}

# ------------------------------------------------------------------- MariaDB

my_sql() { as_root mysql --protocol=socket -uroot -N -B "$@"; }

my_ready() { my_sql -e 'select 1' >/dev/null 2>&1; }

my_var() { my_sql -e "select @@$1"; }

my_start() {
	if have_systemd; then
		as_root systemctl start mariadb
	else
		as_root mkdir -p /run/mysqld
		as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
		as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
	fi
}

my_stop() {
	if have_systemd; then
		as_root systemctl stop mariadb
		return
	fi
	as_root mysqladmin --protocol=socket -uroot shutdown || true
	wait_for 60 sh -c '! pgrep -x mariadbd' || die "MariaDB did not stop"
}

ensure_mariadb() {
	if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
		log "installing MariaDB"
		apt_install mariadb-server mariadb-client
	fi
	local dir=/etc/mysql/mariadb.conf.d conf
	conf=$dir/91-vigil-cdc.cnf
	local want
	want=$(cat <<-'EOF'
		# Written by vigil scripts/services.sh: row-based binary log for the CDC sources.
		[mysqld]
		bind-address        = 127.0.0.1
		server_id           = 1
		log_bin             = mysql-bin
		binlog_format       = ROW
		binlog_row_image    = FULL
		binlog_row_metadata = FULL
		expire_logs_days    = 2
	EOF
	)
	if [ ! -f "$conf" ] || [ "$(as_root cat "$conf")" != "$want" ]; then
		as_root mkdir -p "$dir"
		printf '%s\n' "$want" | as_root tee "$conf" >/dev/null
		log "wrote $conf"
	fi
	# A minimal my.cnf (as on this project's machines) includes no drop-in
	# directory; Debian's stock one already does.
	if [ -f /etc/mysql/my.cnf ] && ! as_root grep -Eq "^!includedir +$dir/?\$" /etc/mysql/my.cnf; then
		printf '\n!includedir %s/\n' "$dir" | as_root tee -a /etc/mysql/my.cnf >/dev/null
		log "added !includedir $dir/ to /etc/mysql/my.cnf"
	fi

	if ! my_ready; then
		log "starting MariaDB"
		my_start
		wait_for 60 my_ready || die "MariaDB did not start (see /var/log/mysql/error.log)"
	fi
	# log_bin and binlog_row_metadata need a restart (log_bin is read-only).
	if [ "$(my_var log_bin)" != 1 ] || [ "$(my_var binlog_format)" != ROW ] ||
		[ "$(my_var binlog_row_image)" != FULL ] || [ "$(my_var binlog_row_metadata)" != FULL ]; then
		log "restarting MariaDB for log_bin/binlog_format=ROW"
		my_stop
		my_start
		wait_for 60 my_ready || die "MariaDB did not come back (see /var/log/mysql/error.log)"
	fi
	[ "$(my_var log_bin)" = 1 ] && [ "$(my_var binlog_format)" = ROW ] ||
		die "MariaDB binary log still not row-based"

	my_sql <<-'EOF'
		CREATE DATABASE IF NOT EXISTS test;
		CREATE USER IF NOT EXISTS 'vigil'@'localhost' IDENTIFIED BY 'vigil';
		CREATE USER IF NOT EXISTS 'vigil'@'127.0.0.1' IDENTIFIED BY 'vigil';
		GRANT SELECT, RELOAD, LOCK TABLES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'vigil'@'localhost';
		GRANT SELECT, RELOAD, LOCK TABLES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'vigil'@'127.0.0.1';
		GRANT ALL ON test.* TO 'vigil'@'localhost';
		GRANT ALL ON test.* TO 'vigil'@'127.0.0.1';
	EOF
	log "MariaDB ready on 127.0.0.1:3306 (log_bin, binlog_format=ROW)"
}

ensure_postgres
ensure_mariadb

#!/usr/bin/env bash
# Installs, from Debian/Ubuntu packages and only when missing, what the project needs from
# the system: Python's venv module, a PostgreSQL server with PostGIS (and btree_gist), and
# Chromium with a Chinese font for map PNG exports and the browser tests (driven by
# Playwright through /usr/bin/chromium; no browser is ever downloaded), and GDAL's
# command-line tools, the reference client of the OGC API tests.
# The project never uses the system's own cluster; it runs a private one (gis_app.db).
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@";
  elif command -v sudo >/dev/null; then sudo "$@";
  else echo "need root to run: $*" >&2; exit 1; fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    as_root apt-get update -q
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# Newest PostgreSQL whose server is installed (a client-only install has no bin/postgres).
newest_pg() {
  for dir in $(ls -d /usr/lib/postgresql/*/ 2>/dev/null | sort -V -r); do
    [ -x "$dir/bin/postgres" ] && { basename "$dir"; return; }
  done
}

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  found=$("$python" -V 2>/dev/null || echo "not found")
  echo "Python 3.11 or newer is needed ($python: $found); set PYTHON=python3.11 or newer" >&2
  exit 1
fi
if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  apt_install "python3-venv"
fi

if [ -z "$(newest_pg)" ]; then
  # Do not let the package create and start a system cluster we would never use.
  as_root mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" | as_root tee /etc/postgresql-common/createcluster.d/gis-app.conf >/dev/null
  apt_install postgresql
fi

version=$(newest_pg)
if [ ! -f "/usr/share/postgresql/$version/extension/postgis.control" ]; then
  apt_install "postgresql-$version-postgis-3"
fi
if [ ! -f "/usr/share/postgresql/$version/extension/btree_gist.control" ]; then
  apt_install "postgresql-contrib" || true
fi
echo "PostgreSQL $version with PostGIS: ready"

if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
# Without a CJK font, Chinese labels in map screenshots come out as empty boxes.
if [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  apt_install fonts-wqy-microhei
fi
# GDAL's command-line tools: the OGC API tests read the service with ogrinfo/ogr2ogr (OAPIF).
if ! command -v ogrinfo >/dev/null; then
  apt_install gdal-bin
fi

echo "Chromium $(/usr/bin/chromium --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -n 1): ready"

#!/usr/bin/env bash
# Installs what build-push's end-to-end tests and benchmark need on a Debian 12 machine with no
# Docker engine (REFERENCE.md section 5). Idempotent: a second run checks and prints, nothing more.
#
#   1. Debian 12 packages: docker.io (dockerd 20.10 and its 20.10 client, /usr/bin/docker),
#      docker-registry (distribution 2.8), apache2-utils (htpasswd, for the registry's bcrypt
#      login), busybox-static (a static /bin/busybox for FROM scratch test images: nothing can be
#      pulled here). Their services are not started: tests start their own dockerd and registry on
#      private sockets and loopback ports and stop them by pid.
#   2. The buildx plugin. Debian 12 has none, and the 28.x client in /usr/local/bin fails with
#      "buildx component is missing" until a plugin exists. Debian 13's docker-buildx 0.13 (needs
#      libc >= 2.34; Debian 12 has 2.36) is fetched with `apt-get download` through a private sources
#      list, lists and cache (/etc/apt is untouched; apt still checks the files against trixie's
#      signed Release) and installed with `dpkg -i` into /usr/libexec/docker/cli-plugins.
#      Measured: every client finds it there and `docker buildx build --push --metadata-file` works
#      with each of them: /usr/bin/docker 20.10, /usr/local/bin/docker 28.2 and the 26.1 client
#      below, against dockerd 20.10 and dockerd 26.1 alike.
#   3. Registry cache export (`--cache-to type=registry,...`). With buildx's `docker` driver it
#      needs the containerd image store, which dockerd 20.10 does not have ("Cache export is not
#      supported for the docker driver"), and the `docker-container` driver cannot start here (it
#      pulls moby/buildkit). So Debian 13's dockerd 26.1 and containerd 1.7 (both need only
#      libc >= 2.34) are extracted with `dpkg-deb -x` into $KIT_PREFIX, beside the system packages,
#      and never on PATH. packages/testing/src/docker-daemon.ts runs them, on request, with
#      {"features":{"containerd-snapshotter":true}} and Debian 12's runc 1.1.5 (Debian 13's runc
#      needs libc >= 2.38). With that engine `--cache-to type=registry,ref=...,mode=max,
#      image-manifest=true,oci-mediatypes=true` works (measured).
set -euo pipefail

KIT_PREFIX=/opt/ecs-ship-docker
TRIXIE_SOURCE='deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main'
BUILDX_PLUGIN=/usr/libexec/docker/cli-plugins/docker-buildx
# Binaries the kit keeps, from the packages it extracts (docker.io, docker-cli, containerd).
KIT_BINARIES=(usr/sbin/dockerd usr/sbin/docker-proxy usr/bin/docker usr/bin/containerd
  usr/bin/containerd-shim-runc-v2 usr/bin/ctr)

started=$(date +%s%N)
step() { printf '[install-docker %6.1fs] %s\n' "$(($(date +%s%N) - started))e-9" "$1"; }
need_root() {
  [ "$(id -u)" -eq 0 ] || {
    echo "install-docker: $1 needs root: run sudo bash scripts/install-docker.sh" >&2
    exit 1
  }
}
installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }

step "start (Debian $(cat /etc/debian_version))"

# 1. Debian 12 packages.
missing=()
for package in docker.io docker-registry apache2-utils busybox-static; do
  installed "$package" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  need_root "apt-get install ${missing[*]}"
  step "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  step "installed ${missing[*]}"
else
  step "docker.io, docker-registry, apache2-utils, busybox-static: already installed"
fi

# Debian 13 packages through a private apt configuration (lists, cache and sources list in a
# temporary directory; /etc/apt untouched), prepared once for steps 2 and 3.
work=""
apt_private=()
trixie_download() {
  if [ -z "$work" ]; then
    need_root "installing $*"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
    # apt fetches as the _apt user, which must reach the lists and write the downloads.
    chmod 0755 "$work"
    chown _apt "$work/debs" 2>/dev/null || true
    echo "$TRIXIE_SOURCE" >"$work/sources.list"
    apt_private=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache")
    step "apt-get update of Debian 13 (trixie) into private lists"
    apt-get "${apt_private[@]}" update -qq
  fi
  step "apt-get download $* (trixie)"
  # apt checks each file against trixie's signed Release.
  (cd "$work/debs" && apt-get "${apt_private[@]}" -qq download "$@")
  for package in "$@"; do
    compgen -G "$work/debs/${package}_*.deb" >/dev/null || {
      echo "install-docker: apt-get download $package from trixie gave no .deb" >&2
      exit 1
    }
  done
}

# 2. The buildx plugin.
if installed docker-buildx && [ -x "$BUILDX_PLUGIN" ]; then
  step "docker-buildx $(dpkg-query -W -f='${Version}' docker-buildx): already installed"
else
  trixie_download docker-buildx
  dpkg -i "$work"/debs/docker-buildx_*.deb >/dev/null
  step "installed docker-buildx $(dpkg-query -W -f='${Version}' docker-buildx)"
fi

# 3. The containerd image store kit.
kit_complete() {
  [ -f "$KIT_PREFIX/VERSIONS" ] || return 1
  for binary in "${KIT_BINARIES[@]}"; do
    [ -x "$KIT_PREFIX/bin/${binary##*/}" ] || return 1
  done
}
if kit_complete; then
  step "$KIT_PREFIX: already there ($(tr '\n' ' ' <"$KIT_PREFIX/VERSIONS"))"
else
  trixie_download docker.io docker-cli containerd
  extracted="$work/extracted"
  mkdir -p "$extracted"
  for deb in "$work"/debs/docker.io_*.deb "$work"/debs/docker-cli_*.deb "$work"/debs/containerd_*.deb; do
    dpkg-deb -x "$deb" "$extracted"
  done
  staging="$KIT_PREFIX.new"
  rm -rf "$staging"
  mkdir -p "$staging/bin"
  for binary in "${KIT_BINARIES[@]}"; do
    install -m 0755 "$extracted/$binary" "$staging/bin/"
  done
  for deb in "$work"/debs/docker.io_*.deb "$work"/debs/docker-cli_*.deb "$work"/debs/containerd_*.deb; do
    dpkg-deb -f "$deb" Package Version | paste -sd' ' | sed 's/Package: //; s/ Version: /=/'
  done >"$staging/VERSIONS"
  rm -rf "$KIT_PREFIX"
  mv "$staging" "$KIT_PREFIX"
  step "extracted into $KIT_PREFIX: $(tr '\n' ' ' <"$KIT_PREFIX/VERSIONS")"
fi

# Every binary the tests use answers (a failing check stops the script: assignments, not arguments,
# carry a command substitution's status under set -e).
answer() {
  local out
  out=$("$@" 2>&1) || {
    echo "install-docker: check failed: $* -> $out" >&2
    exit 1
  }
  printf '%s' "${out%%$'\n'*}"
}
buildx=$(answer /usr/bin/docker buildx version)
step "check: $(answer /usr/sbin/dockerd --version); /usr/bin/docker $(answer /usr/bin/docker --version) + $buildx"
if [ -x /usr/local/bin/docker ]; then
  buildx=$(answer /usr/local/bin/docker buildx version)
  step "check: /usr/local/bin/docker $(answer /usr/local/bin/docker --version) + $buildx"
fi
kit=$(answer "$KIT_PREFIX/bin/dockerd" --version)
kit="$kit; $(answer "$KIT_PREFIX/bin/containerd" --version); client $(answer "$KIT_PREFIX/bin/docker" --version)"
kit="$kit; $(answer /usr/bin/runc --version)"
step "check: $KIT_PREFIX: $kit"
tools=$(answer /usr/bin/docker-registry --version)
tools="$tools; $(answer command -v htpasswd); $(answer /bin/busybox --help)"
step "check: $tools"
step "done"

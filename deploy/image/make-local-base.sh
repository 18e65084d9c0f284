#!/usr/bin/env bash
# Builds a small Java 17 base image as a `docker save`-format tarball, with no Docker and no
# registry: a jlink'ed JRE at /opt/java/openjdk plus the shared libraries it links against, copied
# from this machine. Jib takes it as its base with -Djib.from.image=tar://<absolute path>, which is
# how the ark image is built offline (on a machine that reaches Docker Hub, Jib's default base
# eclipse-temurin:17-jre needs none of this).
#
#   deploy/image/make-local-base.sh [OUTPUT.tar]      (default: target/ark-base.tar)
#
# Needs a JDK 17 with jmods (JAVA_HOME, or the one javac belongs to), ldd, tar and sha256sum.
# The image is for the machine's architecture and libc; it is meant for building and testing.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$repo/target/ark-base.tar}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
fi
[ -x "$JAVA_HOME/bin/jlink" ] || { echo "make-local-base: no jlink in $JAVA_HOME (set JAVA_HOME to a JDK 17)" >&2; exit 2; }
[ -d "$JAVA_HOME/jmods" ] || { echo "make-local-base: $JAVA_HOME has no jmods (install the full JDK, e.g. openjdk-17-jdk-headless)" >&2; exit 2; }

case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) arch="$(uname -m)" ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs"

# The modules ark uses (java.se: HTTP client, JMX, naming, SQL types...; jdk.httpserver: event and admission
# webhooks; jdk.unsupported: gRPC/Netty; jdk.crypto.ec: TLS to model APIs and Temporal Cloud).
modules="java.se,jdk.unsupported,jdk.crypto.ec,jdk.zipfs,jdk.naming.dns,jdk.httpserver,jdk.management,jdk.jfr"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress=2 --output "$rootfs/opt/java/openjdk"

# Shared libraries the JRE links against, and the dynamic loader. The desktop libraries (AWT, fonts,
# sound, images) are left out with their X11 dependencies: ark runs headless and never loads them.
find "$rootfs/opt/java/openjdk" -type f \( -name '*.so' -o -perm -u+x \) \
  -not -regex '.*/lib\(awt\|awt_xawt\|awt_headless\|jawt\|fontmanager\|splashscreen\|jsound\|lcms\|javajpeg\|mlib_image\)\.so' \
  -print0 \
  | xargs -0 ldd 2>/dev/null \
  | awk '/=> \// { print $3 } /^\s*\/[^ ]+ \(/ { print $1 }' \
  | sort -u \
  | while read -r lib; do
      case "$lib" in "$rootfs"/*) continue ;; esac # the JRE's own libraries
      [ -e "$lib" ] || continue
      mkdir -p "$rootfs$(dirname "$lib")"
      cp -L "$lib" "$rootfs$lib"
    done
# Keep the loader reachable under its canonical path too (e.g. /lib64 -> /usr/lib64 on merged-usr).
for loader in /lib64/ld-linux-x86-64.so.2 /lib/ld-linux-aarch64.so.1; do
  if [ -e "$loader" ] && [ ! -e "$rootfs$loader" ]; then
    mkdir -p "$rootfs$(dirname "$loader")"
    cp -L "$loader" "$rootfs$loader"
  fi
done

# A non-root user (the chart runs as 65532), a writable /tmp.
mkdir -p "$rootfs/etc" "$rootfs/tmp" "$rootfs/home/nonroot"
chmod 1777 "$rootfs/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$rootfs/etc/group"
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"

# One layer, reproducible: fixed owner, order and times.
# Member names without a leading "./": Jib refuses archive entries it reads as "./".
(cd "$rootfs" && tar --create --file "$work/layer.tar" --sort=name --owner=0 --group=0 \
  --numeric-owner --mtime='1970-01-01 00:00:01Z' -- *)
layer_sha="$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"

cat >"$work/config.json" <<EOF
{"architecture":"$arch","os":"linux","config":{"Env":["PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java/openjdk","LANG=C.UTF-8"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:$layer_sha"]},"history":[{"created":"1970-01-01T00:00:01Z","created_by":"deploy/image/make-local-base.sh: jlink $modules"}]}
EOF
config_sha="$(sha256sum "$work/config.json" | cut -d' ' -f1)"

image="$work/image"
mkdir -p "$image/$layer_sha"
mv "$work/layer.tar" "$image/$layer_sha/layer.tar"
mv "$work/config.json" "$image/$config_sha.json"
cat >"$image/manifest.json" <<EOF
[{"Config":"$config_sha.json","RepoTags":["ark-base:local"],"Layers":["$layer_sha/layer.tar"]}]
EOF

mkdir -p "$(dirname "$out")"
(cd "$image" && tar --create --file "$out" --sort=name --owner=0 --group=0 --numeric-owner \
  --mtime='1970-01-01 00:00:01Z' -- manifest.json "$config_sha.json" "$layer_sha")
echo "$out ($(du -h "$out" | cut -f1)): jlink'ed JRE ($modules) for linux/$arch"

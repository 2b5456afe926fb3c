#!/usr/bin/env bash
# How long `devpts-check script` takes, start-up included: each example and a few fixtures,
# with one profile and with all of them; the fastest of three runs (wall and CPU seconds,
# from /usr/bin/time). Run from the project root: bench/script-timing.sh
set -euo pipefail
cd "$(dirname "$0")/.."
F=test/shell/fixtures
cases=(
  "examples/lxc-style.sh|"
  "examples/doc-container.sh|"
  "examples/chroot-helper.sh|--rootfs /srv/chroot -- /srv/chroot ls /dev/pts"
  "examples/pbuilder-modules.sh|--call build --rootfs /var/cache/pbuilder/build/1234 --env BUILDPLACE=/var/cache/pbuilder/build/1234"
  "$F/initramfs-tools-init.sh|--role host --boot none --source-path $F/lib"
  "$F/openrc-sysinit.sh|--role host --boot none --call start"
  "$F/alpine-chroot-install.sh|--rootfs /alpine"
  "$F/container-pivot-root.sh|--rootfs /var/lib/mini/rootfs"
)
# how many profiles a run without --profile checks (the keys of PROFILES in model/profiles.ts)
profiles=$(grep -cE "^  '[0-9][^']*': \{" model/profiles.ts || echo 7)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for c in "${cases[@]}"; do
  f=${c%%|*}; a=${c#*|}
  for prof in "--profile 6.x" ""; do
    best_wall=999; best_cpu=999
    for _ in 1 2 3; do
      # shellcheck disable=SC2086
      /usr/bin/time -f "%e %U %S" -o /tmp/devpts-timing.$$ node bin/devpts-check.js script "$f" $a $prof >/dev/null 2>&1 || true
      read -r wall user sys < <(tail -1 /tmp/devpts-timing.$$)
      best_wall=$(awk -v a="$best_wall" -v b="$wall" 'BEGIN { print (b < a ? b : a) }')
      best_cpu=$(awk -v a="$best_cpu" -v b="$user" -v c="$sys" 'BEGIN { print (b + c < a ? b + c : a) }')
    done
    n=$([ -n "$prof" ] && echo 1 || echo "$profiles")
    printf '%-28s %s profile(s): wall %5ss  cpu %5ss  wall per profile %5ss\n' "$(basename "$f")" "$n" "$best_wall" "$best_cpu" \
      "$(awk -v w="$best_wall" -v n="$n" 'BEGIN { printf "%.2f", w / n }')"
  done
done
rm -f /tmp/devpts-timing.$$

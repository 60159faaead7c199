#!/usr/bin/env bash
# Sizes the JVM heap and ND4J's off-heap memory from the container's memory limit.
# ND4J arrays live off-heap (JavaCPP): without a cap they can outgrow the container and get it killed.
set -euo pipefail

limit_bytes() {
  local v
  if [[ -r /sys/fs/cgroup/memory.max ]]; then                    # cgroup v2
    v=$(cat /sys/fs/cgroup/memory.max)
  elif [[ -r /sys/fs/cgroup/memory/memory.limit_in_bytes ]]; then # cgroup v1
    v=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)
  fi
  if [[ -z "${v:-}" || "$v" == "max" || "$v" -gt $((1 << 50)) ]]; then
    v=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) * 1024 ))  # no limit: the host's memory
  fi
  echo "$v"
}

total=$(limit_bytes)
heap=$(( total * ${HEAP_PERCENT:-30} / 100 ))
offheap=$(( total * ${OFFHEAP_PERCENT:-50} / 100 ))
physical=$(( total * ${PHYSICAL_PERCENT:-90} / 100 ))

# The extracted jar with its class-data archive when the image build made one (class-data-sharing.sh).
home=/opt/char-rnn-service
if [[ -f "$home/app.jsa" && -f "$home/extracted/app.jar" ]]; then
  app=(-XX:SharedArchiveFile="$home/app.jsa" -jar "$home/extracted/app.jar")
else
  app=(-jar "$home/app.jar")
fi

# The Vector API kernel of batched generation (the core's nn/cpu/VectorKernels), when this runtime has
# the module; without it the service runs the auto-vectorized kernel (same results).
vector=()
if java --list-modules 2>/dev/null | grep -q '^jdk.incubator.vector'; then
  vector=(--add-modules jdk.incubator.vector)
fi

exec java \
  "${vector[@]}" \
  -Xmx"${heap}" \
  -Dorg.bytedeco.javacpp.maxbytes="${offheap}" \
  -Dorg.bytedeco.javacpp.maxphysicalbytes="${physical}" \
  ${JAVA_OPTS:-} \
  "${app[@]}" "$@"

#!/usr/bin/env bash
# Image build step: extracts the Boot jar (class data sharing needs plain jars on the class path) and
# records the classes one start-up loads into app.jsa, which entrypoint.sh then hands to the JVM.
# The recording run starts the application up to a refreshed context, with throwaway storage, and exits.
set -euo pipefail
home=${1:-/opt/char-rnn-service}
scratch=$(mktemp -d)
java -Djarmode=tools -jar "$home/app.jar" extract --destination "$home/extracted"
# the same module options as entrypoint.sh, which the archive must match
vector=()
if java --list-modules 2>/dev/null | grep -q '^jdk.incubator.vector'; then
  vector=(--add-modules jdk.incubator.vector)
fi
(cd "$scratch" && java "${vector[@]}" -XX:ArchiveClassesAtExit="$home/app.jsa" \
  -Dspring.context.exit=onRefresh \
  -jar "$home/extracted/app.jar" --charrnn.storage.models-dir="$scratch/models" \
  --charrnn.storage.corpora-dir="$scratch/corpora" > "$scratch/run.log" 2>&1) \
  || { cat "$scratch/run.log"; exit 1; }
rm -rf "$scratch"
ls -l "$home/app.jsa"

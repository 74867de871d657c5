# Sourced by the evidence scripts: run CONFIG NAME [--set ...] trains one run into $out/NAME with
# $launcher, its log in $out/logs/NAME.log, and skips a run whose report.json exists (so an
# interrupted sweep continues where it stopped).
run() {
  local config=$1 name=$2
  shift 2
  if [ -f "$out/$name/report.json" ]; then
    echo "skip $name (done)"
    return
  fi
  echo "run $name"
  $launcher train --config "$config" --set output_dir="$out" --set name="$name" "$@" \
    > "$out/logs/$name.log" 2>&1 || echo "FAILED $name (see $out/logs/$name.log)"
}

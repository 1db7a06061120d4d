#!/usr/bin/env bash
# Renders every kustomization root under overlays/, clusters/ and apps/ at two revisions and writes
# the differences as Markdown for a pull request comment.
#
#   render-diff.sh KUSTOMIZE BASE_TREE HEAD_TREE OUT_DIR
#
# BASE_TREE and HEAD_TREE are checkouts of the two revisions. Writes OUT_DIR/comment.md (the
# comment, cut to fit GitHub's limit) and OUT_DIR/render.diff (the whole unified diff), and prints
# `changed=N` and `targets=M` for $GITHUB_OUTPUT. A root that fails to build at one revision is
# shown with kustomize's error in place of its manifests; the gate (validate.yaml) is what fails
# the pull request, this only shows what would change.
set -euo pipefail

if [ "$#" -ne 4 ]; then
  echo "usage: $0 KUSTOMIZE BASE_TREE HEAD_TREE OUT_DIR" >&2
  exit 64
fi
kustomize=$1
base_tree=$2
head_tree=$3
out=$4

readonly MARKER='<!-- gitops-render-diff -->'
# GitHub rejects comments over 65536 characters; leave room for the header and the notes.
readonly MAX_SECTION=20000
readonly MAX_COMMENT=60000

mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Kustomization roots of one tree, relative to it; Components are not buildable on their own.
roots_of() {
  local tree=$1
  [ -d "$tree" ] || return 0
  (
    cd "$tree"
    for top in overlays clusters apps; do
      [ -d "$top" ] || continue
      find "$top" -type f \( -name kustomization.yaml -o -name kustomization.yml -o -name Kustomization \) -print
    done
  ) | while IFS= read -r file; do
    if ! grep -Eq '^kind:[[:space:]]*Component[[:space:]]*$' "$tree/$file"; then
      dirname "$file"
    fi
  done
}

# Rendered manifests of one root at one revision, or kustomize's error, or nothing when absent.
render() {
  local tree=$1 root=$2 dest=$3
  if [ ! -d "$tree/$root" ]; then
    : > "$dest"
  # Built from inside the tree so that error messages name repository paths.
  elif ! (cd "$tree" && "$kustomize" build "$root") > "$dest" 2> "$dest.err"; then
    {
      echo "# kustomize build failed:"
      sed 's/^/# /' "$dest.err"
    } > "$dest"
  fi
}

mapfile -t roots < <({ roots_of "$base_tree"; roots_of "$head_tree"; } | LC_ALL=C sort -u)

: > "$out/render.diff"
sections=()
changed=0
for root in "${roots[@]}"; do
  key=${root//\//__}
  render "$base_tree" "$root" "$work/$key.base.yaml"
  render "$head_tree" "$root" "$work/$key.head.yaml"
  if diff -u --label "a/$root" --label "b/$root" "$work/$key.base.yaml" "$work/$key.head.yaml" > "$work/$key.diff"; then
    continue
  fi
  changed=$((changed + 1))
  cat "$work/$key.diff" >> "$out/render.diff"
  # Lines after the two header lines.
  added=$(tail -n +3 "$work/$key.diff" | grep -c '^+' || true)
  removed=$(tail -n +3 "$work/$key.diff" | grep -c '^-' || true)
  {
    echo "<details><summary><code>${root}</code>: +${added} -${removed}</summary>"
    echo
    echo '```diff'
    if [ "$(wc -c < "$work/$key.diff")" -gt "$MAX_SECTION" ]; then
      head -c "$MAX_SECTION" "$work/$key.diff" | sed '$d'
      echo '```'
      echo
      echo "_Cut here: the whole diff is in the workflow run's \`render-diff\` artifact._"
    else
      cat "$work/$key.diff"
      echo '```'
    fi
    echo
    echo '</details>'
    echo
  } > "$work/$key.section.md"
  sections+=("$work/$key.section.md")
done

{
  echo "$MARKER"
  echo "### Rendered manifests"
  echo
  if [ "$changed" -eq 0 ]; then
    echo "No rendered change in any of the ${#roots[@]} kustomization roots."
  else
    echo "${changed} of ${#roots[@]} kustomization roots render differently (\`kustomize build\`, base → head):"
    echo
    # Whole sections only, as many as fit; the rest are named.
    size=0
    left_out=()
    for section in "${sections[@]}"; do
      n=$(wc -c < "$section")
      if [ $((size + n)) -le "$MAX_COMMENT" ]; then
        cat "$section"
        size=$((size + n))
      else
        left_out+=("$(basename "$section" .section.md)")
      fi
    done
    if [ "${#left_out[@]}" -gt 0 ]; then
      echo "_Not shown, to fit GitHub's limit (see the workflow run's \`render-diff\` artifact):_ ${left_out[*]//__//}"
    fi
  fi
} > "$out/comment.md"

echo "changed=${changed}"
echo "targets=${#roots[@]}"

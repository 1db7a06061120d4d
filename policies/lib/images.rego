# Container image references: parse "registry/repository:tag@digest" and normalise Docker Hub
# short names the way the container runtime does (postgres:16 is docker.io/library/postgres:16).
package lib.images

import rego.v1

# parse(image) is {"registry", "repository", "name", "tag", "digest"}; name is
# registry/repository, tag and digest are "" when absent.
parse(image) := {
	"registry": registry,
	"repository": repository,
	"name": sprintf("%s/%s", [registry, repository]),
	"tag": tag,
	"digest": digest,
} if {
	is_string(image)
	at := split(image, "@")
	digest := digest_part(at)
	parts := split(at[0], "/")
	registry := registry_of(parts)
	rest := path_of(parts)
	last := split(rest[count(rest) - 1], ":")
	tag := tag_part(last)
	repo_parts := array.concat(array.slice(rest, 0, count(rest) - 1), [last[0]])
	repository := library(registry, concat("/", repo_parts))
}

digest_part(at) := at[1] if count(at) > 1

digest_part(at) := "" if count(at) == 1

tag_part(last) := last[1] if count(last) > 1

tag_part(last) := "" if count(last) == 1

# The first path component is a registry when it has a dot or a port, or is localhost.
is_registry(first) if contains(first, ".")

is_registry(first) if contains(first, ":")

is_registry("localhost")

registry_of(parts) := normal_registry(parts[0]) if {
	count(parts) > 1
	is_registry(parts[0])
}

registry_of(parts) := "docker.io" if not explicit_registry(parts)

explicit_registry(parts) if {
	count(parts) > 1
	is_registry(parts[0])
}

path_of(parts) := array.slice(parts, 1, count(parts)) if explicit_registry(parts)

path_of(parts) := parts if not explicit_registry(parts)

normal_registry(r) := "docker.io" if r in {"index.docker.io", "registry-1.docker.io", "docker.io"}

normal_registry(r) := r if not r in {"index.docker.io", "registry-1.docker.io", "docker.io"}

library(registry, repository) := sprintf("library/%s", [repository]) if {
	registry == "docker.io"
	not contains(repository, "/")
}

library(registry, repository) := repository if registry != "docker.io"

library(_, repository) := repository if contains(repository, "/")

# has_digest(ref) when the image is pinned by a sha256 digest.
has_digest(ref) if startswith(ref.digest, "sha256:")

# An immutable version tag names one release: an optional "v", at least MAJOR.MINOR (all numeric,
# up to four components), then optionally a variant or pre-release introduced by "-" (alpine3.20,
# bookworm, rc.1, debian-12-r5) and build metadata after "+". Examples: 1.4.2, v1.4.2,
# 16.4-alpine3.20, 2.53.1-debian-12-r0. Not immutable: latest, stable, alpine, 16, v2,
# 16-alpine, main, sha-1a2b3c (a commit tag is immutable by convention only, and automation
# cannot tell it from a branch tag). MAJOR.MINOR is accepted because several upstreams release
# as two components (PostgreSQL 16.4); where a project uses MAJOR.MINOR as a moving line
# (nginx 1.27), the tag is still the narrowest version its registry publishes per release line,
# and this definition only relaxes an error to a warning where automation pins the digest.
immutable_version_tag(tag) if regex.match(`^v?[0-9]+\.[0-9]+(\.[0-9]+){0,2}(-[0-9A-Za-z][0-9A-Za-z._-]*)?(\+[0-9A-Za-z._-]+)?$`, tag)

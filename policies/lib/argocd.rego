# Helpers over Argo CD objects shared by the policies under policies/argocd/: the Application under
# evaluation, its sources with their field paths, this repository's URLs, version pinning, and the
# AppProjects of the same target.
package lib.argocd

import rego.v1

# URLs of this repository: a source from it is rendered by the gate itself (its path is a target), any
# other source is remote. They are kept in one place, policy.argocd.repoUrls of gitops.yaml
# (`gitops policy test` hands that file's policy section to opa test as data.config too).
default repo_urls := []

repo_urls := urls if {
	urls := data.config.argocd.repoUrls
	is_array(urls)
}

# The Application under evaluation (only for Kubernetes inputs).
application := input.resource if {
	input.kind == "kubernetes"
	input.resource.kind == "Application"
	startswith(input.resource.apiVersion, "argoproj.io/")
}

# The AppProject under evaluation.
appproject := input.resource if {
	input.kind == "kubernetes"
	input.resource.kind == "AppProject"
	startswith(input.resource.apiVersion, "argoproj.io/")
}

display(obj) := sprintf("%s/%s", [obj.kind, obj.metadata.name])

# normalize_url drops case, a trailing slash and a trailing .git, so the spellings Argo CD treats as
# the same repository compare equal.
normalize_url(url) := trim_suffix(trim_suffix(lower(trim_space(url)), "/"), ".git")

is_own_repo(url) if {
	some u in repo_urls
	normalize_url(u) == normalize_url(url)
}

# sources(app) lists every source of an Application (multi-source spec.sources, else spec.source),
# each as {"source": s, "path": "spec.sources[1]"}.
sources(app) := [{"source": s, "path": sprintf("spec.sources[%d]", [i])} |
	some i, s in app.spec.sources
] if {
	is_array(app.spec.sources)
	count(app.spec.sources) > 0
} else := [{"source": app.spec.source, "path": "spec.source"}] if {
	is_object(app.spec.source)
} else := []

is_helm_chart(source) if {
	is_string(source.chart)
	source.chart != ""
}

# A remote source is one the gate cannot render offline: a Helm chart, or a git repository other
# than this one.
is_remote(source) if is_helm_chart(source)

is_remote(source) if not is_own_repo(object.get(source, "repoURL", ""))

revision(source) := trim_space(sprintf("%v", [object.get(source, "targetRevision", "")]))

semver_re := `^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`

# An exact semantic version, optionally with a leading v (cert-manager's charts are "v1.20.1").
is_exact_semver(rev) if regex.match(semver_re, rev)

is_commit(rev) if regex.match(`^[0-9a-f]{40}$`, rev)

# A release tag: an exact version, optionally after a prefix such as "argo-cd-" or "release/".
is_version_tag(rev) if {
	regex.match(`^([A-Za-z0-9._/-]*[-_/])?v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$`, rev)
}

# Range and wildcard markers that make a revision float.
floating_markers := ["*", "^", "~", ">", "<", "||", " - ", ".x", ".X"]

is_floating(rev) if {
	some m in floating_markers
	contains(rev, m)
}

is_floating(rev) if lower(rev) == "x"

is_floating(rev) if upper(rev) == "HEAD"

is_floating(rev) if rev == ""

# The AppProjects rendered in the same target, by name.
projects := {p.metadata.name: p |
	some p in data.target.resources
	p.kind == "AppProject"
	startswith(p.apiVersion, "argoproj.io/")
}

project_name(app) := object.get(app, ["spec", "project"], "default")

# pattern_matches(pattern, value) is how Argo CD compares AppProject entries: exact, "*" for
# anything, or one leading or trailing "*". (Argo CD's full glob syntax is wider; this repository
# uses exact entries only.)
pattern_matches(pattern, value) if pattern == value

pattern_matches("*", _)

pattern_matches(pattern, value) if {
	endswith(pattern, "*")
	not startswith(pattern, "*")
	startswith(value, trim_suffix(pattern, "*"))
}

pattern_matches(pattern, value) if {
	startswith(pattern, "*")
	not endswith(pattern, "*")
	endswith(value, trim_prefix(pattern, "*"))
}

# Whether an AppProject allows a source repository.
repo_permitted(project, url) if {
	some pattern in object.get(project, ["spec", "sourceRepos"], [])
	pattern_matches(normalize_url(pattern), normalize_url(url))
}

# Whether an AppProject allows a destination (server or cluster name, and namespace).
destination_permitted(project, dest) if {
	some d in object.get(project, ["spec", "destinations"], [])
	cluster_matches(d, dest)
	pattern_matches(object.get(d, "namespace", ""), object.get(dest, "namespace", ""))
}

cluster_matches(d, dest) if {
	is_string(d.server)
	is_string(dest.server)
	pattern_matches(trim_suffix(d.server, "/"), trim_suffix(dest.server, "/"))
}

cluster_matches(d, dest) if {
	is_string(d.name)
	is_string(dest.name)
	pattern_matches(d.name, dest.name)
}

# Automated sync is on: spec.syncPolicy.automated is set and not switched off (enabled: false).
automated(app) := a if {
	a := app.spec.syncPolicy.automated
	is_object(a)
	object.get(a, "enabled", true) != false
}

sync_options(app) := object.get(app, ["spec", "syncPolicy", "syncOptions"], [])

# Repository-wide facts (data.repository, computed by the gate; docs/policy-authoring.md), for the
# checks that look beyond one document: the paths Applications deploy, the other Applications.

# The data.repository.applications entry of the Application under evaluation, defined only in the
# target it is reported in: an Application rendered by several targets is judged once.
entry := e if {
	application
	some e in data.repository.applications
	e.target == data.target.name
	e.index == input.index
}

# deployments(app): the sources of this repository that deploy a path (not those that only lend
# their files to another source through ref:), each with the path's facts and the field to point at.
deployments(app) := [d |
	some s in sources(app)
	not is_helm_chart(s.source)
	is_own_repo(object.get(s.source, "repoURL", ""))
	not lends_files(s.source)
	raw := object.get(s.source, "path", ".")
	d := {
		"source": s.source,
		"field": deployment_field(s),
		"facts": object.get(data.repository.paths, raw, {"path": raw, "exists": false, "directory": false, "kustomization": false}),
	}
]

lends_files(source) if {
	not is_string(object.get(source, "path", null))
	is_string(source.ref)
	source.ref != ""
}

deployment_field(s) := sprintf("%s.path", [s.path]) if is_string(s.source.path)

else := s.path

# deployed(app): the deployments Argo CD can render: a kustomization root, or a plain folder the
# source declares as directory:.
deployed(app) := [d |
	some d in deployments(app)
	d.facts.directory
	renderable(d)
]

renderable(d) if d.facts.kustomization

renderable(d) if is_object(d.source.directory)

# Whether any Application of the repository deploys the path.
deployed_by_any(p) if {
	some a in data.repository.applications
	some d in deployed(a.resource)
	d.facts.path == p
}

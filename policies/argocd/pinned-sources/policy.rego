# METADATA
# title: Remote sources of Applications are pinned
# description: >-
#   Every source of an Application that is not this repository is pinned: a Helm chart to an exact
#   semantic version (no range, wildcard or "latest"), a foreign git repository to a release tag or a
#   40-hex commit (never HEAD or a branch such as main or master). This repository is tracked on its
#   branch on purpose: that is what GitOps deploys.
# scope: package
# custom:
#   id: argocd/pinned-sources
#   input: kubernetes
#   severity: error
#   kinds: [Application]
#   ci_only: "Argo CD wiring, judged against this repository (its paths, projects and repository URL), which the cluster does not hold"
#   rationale: >-
#     A floating revision changes what runs in the cluster without a commit here: no review, no diff,
#     and a revert does not bring the old version back.
#   baseline: Argo CD "Tracking and Deployment Strategies"; SLSA (pinned dependencies)
package rules.argocd.pinned_sources

import rego.v1

import data.lib.argocd

app := argocd.application

remote_sources contains s if {
	some s in argocd.sources(app)
	argocd.is_remote(s.source)
}

violation contains {"msg": msg, "field": sprintf("%s.targetRevision", [s.path])} if {
	some s in remote_sources
	argocd.is_helm_chart(s.source)
	rev := argocd.revision(s.source)
	not argocd.is_exact_semver(rev)
	msg := sprintf("%s: Helm chart \"%s\" from %s has targetRevision \"%s\", not an exact version; pin it (e.g. 1.2.3)", [argocd.display(app), s.source.chart, s.source.repoURL, shown(rev)])
}

violation contains {"msg": msg, "field": sprintf("%s.targetRevision", [s.path])} if {
	some s in remote_sources
	not argocd.is_helm_chart(s.source)
	rev := argocd.revision(s.source)
	not git_pinned(rev)
	msg := sprintf("%s: git repository %s has targetRevision \"%s\", which can move; pin a release tag or a 40-hex commit", [argocd.display(app), object.get(s.source, "repoURL", ""), shown(rev)])
}

git_pinned(rev) if argocd.is_commit(rev)

git_pinned(rev) if {
	argocd.is_version_tag(rev)
	not argocd.is_floating(rev)
}

shown(rev) := "HEAD (unset)" if rev == ""

else := rev

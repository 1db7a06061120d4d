# METADATA
# title: Every ALLOW rule names who may call
# description: >-
#   In an AuthorizationPolicy with action ALLOW (the default), every rule must have a non-empty
#   `from`. Rules are OR-ed: an empty rule ({}) allows every request, and a rule with only `to`
#   allows those operations to any caller, whatever the other rules say.
# scope: package
# custom:
#   id: istio/authorization-rules
#   input: kubernetes
#   severity: error
#   kinds: [AuthorizationPolicy]
#   rationale: A rule without `from` matches requests from any identity, including unauthenticated ones, which silently widens the policy to everyone.
#   baseline: 'Istio security best practices (ALLOW with positive matching, every rule has a source); seed review #32'
package rules.istio.authorization_rules

import rego.v1

import data.lib.kubernetes

ap := kubernetes.resource if kubernetes.resource.kind == "AuthorizationPolicy"

allow if object.get(ap, ["spec", "action"], "ALLOW") == "ALLOW"

violation contains {"msg": msg, "field": sprintf("spec.rules[%d]", [i])} if {
	allow
	some i, rule in ap.spec.rules
	count(rule) == 0
	msg := sprintf("%s: rules[%d] is empty and allows every request from anyone; give it a `from` with principals or namespaces, or remove it", [kubernetes.display(ap), i])
}

violation contains {"msg": msg, "field": sprintf("spec.rules[%d].from", [i])} if {
	allow
	some i, rule in ap.spec.rules
	count(rule) > 0
	count(object.get(rule, "from", [])) == 0
	msg := sprintf(
		"%s: rules[%d] has no `from`, and rules are OR-ed, so it allows %s to any caller regardless of the other rules; put the `to` and `when` in the same rule as a `from` naming the callers",
		[kubernetes.display(ap), i, what(rule)],
	)
}

what(rule) := "these operations" if rule.to

what(rule) := "every request matching its conditions" if not rule.to

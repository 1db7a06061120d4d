# METADATA
# title: RBAC rules must not grant privilege escalation paths
# description: >-
#   No Role or ClusterRole rule grants the verbs bind, escalate or impersonate, any verb on nodes/proxy, update of
#   certificatesigningrequests/approval, changes to admission webhook configurations, create on
#   serviceaccounts/token or create on persistentvolumes.
# scope: package
# custom:
#   id: k8s/rbac-escalation-verbs
#   input: kubernetes
#   severity: error
#   kinds: [Role, ClusterRole]
#   rationale: Each of these lets the holder obtain more permissions than the role itself grants.
#   baseline: CIS 5.1.8-5.1.13
package rules.k8s.rbac_escalation_verbs

import rego.v1

import data.lib.pss
import data.lib.rbac

escalation_verbs := {"bind", "escalate", "impersonate"}

# [group, resource, verbs, why]
dangerous := [
	["", "nodes/proxy", {"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}, "reaches the kubelet API of every node (exec into any pod)"],
	["certificates.k8s.io", "certificatesigningrequests/approval", {"update", "patch"}, "approves certificates, e.g. for system:masters"],
	["admissionregistration.k8s.io", "mutatingwebhookconfigurations", {"create", "update", "patch", "delete"}, "can rewrite or disable admission of every object"],
	["admissionregistration.k8s.io", "validatingwebhookconfigurations", {"create", "update", "patch", "delete"}, "can disable admission checks"],
	["", "serviceaccounts/token", {"create"}, "mints tokens for any service account of the namespace"],
	["", "persistentvolumes", {"create"}, "can create hostPath volumes that expose the node"],
]

violation contains {"msg": msg, "field": field} if {
	obj := rbac.role
	some i, rule in rbac.rules(obj)
	some j, verb in object.get(rule, "verbs", [])
	verb in escalation_verbs
	msg := sprintf("%s: rule %d grants the verb %s, which escalates privileges; remove it", [pss.name(obj), i, verb])
	field := sprintf("rules[%d].verbs[%d]", [i, j])
}

violation contains {"msg": msg, "field": field} if {
	obj := rbac.role
	some i, rule in rbac.rules(obj)
	some entry in dangerous
	rbac.has_group(rule, entry[0])
	rbac.names_resource(rule, entry[1])
	verbs := rbac.granted_verbs(rule, entry[2])
	count(verbs) > 0
	msg := sprintf("%s: rule %d grants %s on %s, which %s; remove it", [pss.name(obj), i, concat(", ", sort(verbs)), entry[1], entry[3]])
	field := sprintf("rules[%d].resources", [i])
}

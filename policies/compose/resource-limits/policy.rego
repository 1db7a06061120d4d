# METADATA
# title: Compose services limit memory and processes
# description: >-
#   Every service sets a memory limit (mem_limit or deploy.resources.limits.memory) and a pids
#   limit (pids_limit or deploy.resources.limits.pids).
# scope: package
# custom:
#   id: compose/resource-limits
#   input: compose
#   severity: warning
#   kinds: [Compose]
#   ci_only: "reads a docker compose file, which never reaches the API server"
#   rationale: Without limits one container (a leak, a fork bomb) can exhaust the host and take every other service down.
#   baseline: CIS Docker 5.10 (memory), 5.28 (pids)
package rules.compose.resource_limits

import data.lib.docker as dlib
import rego.v1

limit(svc, key, _) := svc[key]

limit(svc, _, deploy_key) := svc.deploy.resources.limits[deploy_key]

missing(svc) := [text |
	some [key, deploy_key, text] in [["mem_limit", "memory", "memory (mem_limit)"], ["pids_limit", "pids", "pids (pids_limit)"]]
	not limit(svc, key, deploy_key)
]

violation contains {"msg": msg, "field": sprintf("services.%s.deploy.resources.limits", [name])} if {
	some name, svc in dlib.services
	m := missing(svc)
	count(m) > 0
	msg := sprintf("service '%s' sets no %s limit; add deploy.resources.limits", [name, concat(" and no ", m)])
}

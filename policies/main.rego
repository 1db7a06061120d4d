# The one entrypoint the gate evaluates (compiled to wasm as `main/findings`).
# Every policy package under the namespaces below defines `violation`, a set of objects
# (see docs/policy-authoring.md); this collects them and names the package that produced each.
package main

import rego.v1

findings contains with_policy(v, "k8s", name) if some v in data.k8s[name].violation

findings contains with_policy(v, "istio", name) if some v in data.istio[name].violation

findings contains with_policy(v, "argocd", name) if some v in data.argocd[name].violation

findings contains with_policy(v, "monitoring", name) if some v in data.monitoring[name].violation

findings contains with_policy(v, "docker", name) if some v in data.docker[name].violation

findings contains with_policy(v, "compose", name) if some v in data.compose[name].violation

with_policy(v, ns, name) := object.union(v, {"policy": concat(".", [ns, name])})

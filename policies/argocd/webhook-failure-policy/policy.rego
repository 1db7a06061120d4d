# METADATA
# title: Webhook failure policies are rendered as the controllers set them
# description: >-
#   Charts whose admission webhooks are rendered with one failurePolicy and then patched in the
#   cluster to another set it explicitly in their Helm values: the Istio charts base and istiod
#   (base.validationFailurePolicy, else "Ignore" on a fresh render, which istiod flips to "Fail"), and
#   kube-prometheus-stack with its patch job (prometheusOperator.admissionWebhooks.failurePolicy,
#   else "Ignore" rendered and patched; "IgnoreOnInstallOnly" depends on Helm's install/upgrade state,
#   which Argo CD's rendering does not have).
# scope: package
# custom:
#   id: argocd/webhook-failure-policy
#   input: kubernetes
#   severity: error
#   kinds: [Application]
#   ci_only: "Argo CD wiring, judged against this repository (its paths, projects and repository URL), which the cluster does not hold"
#   rationale: >-
#     A field that a controller rewrites after every sync keeps the Application OutOfSync forever and
#     self-heal fights the controller; ignoring the difference instead would hide real drift
#     (argocd/ignore-differences allows none).
#   baseline: istio 1.29.2 manifests/charts/base/templates/defaultrevision-validatingwebhookconfiguration.yaml; kube-prometheus-stack 83.6.0 admission-webhooks templates
package rules.argocd.webhook_failure_policy

import rego.v1

import data.lib.argocd
import data.lib.platform

app := argocd.application

settled := {"Fail", "Ignore"}

violation contains {"msg": msg, "field": platform.values_field(src, ["base", "validationFailurePolicy"])} if {
	some src in platform.chart_sources(app)
	src.chart in {"base", "istiod"}
	startswith(src.source.repoURL, "https://istio-release.")
	not platform.value(src, ["base", "validationFailurePolicy"], "") in settled
	msg := sprintf("%s: base.validationFailurePolicy is not set, so the chart renders the validating webhook with failurePolicy Ignore and istiod patches it to Fail: the Application never stays in sync; set it to Fail", [argocd.display(app)])
}

violation contains {"msg": msg, "field": platform.values_field(src, ["prometheusOperator", "admissionWebhooks", "failurePolicy"])} if {
	some src in platform.chart_sources(app)
	src.chart == "kube-prometheus-stack"
	platform.value(src, ["prometheusOperator", "admissionWebhooks", "enabled"], true) != false
	platform.value(src, ["prometheusOperator", "admissionWebhooks", "patch", "enabled"], true) != false
	not platform.value(src, ["prometheusOperator", "admissionWebhooks", "failurePolicy"], "") in settled
	msg := sprintf("%s: prometheusOperator.admissionWebhooks.failurePolicy is '%s', so the rendered webhooks and the patch job disagree and the Application never stays in sync; set it to Fail", [argocd.display(app), platform.value(src, ["prometheusOperator", "admissionWebhooks", "failurePolicy"], "")])
}

package rules.istio.gateway_tls_test

import rego.v1

import data.rules.istio.gateway_tls

https(tls) := {"port": {"number": 443, "name": "https", "protocol": "HTTPS"}, "hosts": ["api.example.com"], "tls": tls}

redirect := {"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["api.example.com"], "tls": {"httpsRedirect": true}}

gateway(ns, servers) := {"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": {"name": "gw", "namespace": ns}, "spec": {"selector": {"istio": "ingressgateway"}, "servers": servers}}

certificate(ns) := {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "api", "namespace": ns}, "spec": {"secretName": "api-tls"}}

proxy(ns) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "ingressgateway", "namespace": ns}, "spec": {"template": {"metadata": {"labels": {"istio": "ingressgateway"}}, "spec": {"containers": [{"name": "istio-proxy"}]}}}}

simple := {"mode": "SIMPLE", "credentialName": "api-tls"}

violations(resources, i) := v if {
	v := gateway_tls.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
		with data.config as {"external": {"secrets": ["managed-tls"]}}
}

test_https_with_certificate_and_redirect_allowed if count(violations([gateway("ingress", [redirect, https(simple)]), certificate("ingress")], 0)) == 0

test_certificate_in_proxy_namespace_allowed if {
	count(violations([gateway("app", [https(simple)]), certificate("ingress"), proxy("ingress")], 0)) == 0
}

test_external_secret_name_allowed if count(violations([gateway("ingress", [https({"mode": "SIMPLE", "credentialName": "managed-tls"})])], 0)) == 0

test_certificate_missing_denied if {
	v := violations([gateway("ingress", [https(simple)])], 0)
	count(v) == 1
	some f in v
	f.field == "spec.servers[0].tls.credentialName"
}

test_certificate_in_gateway_namespace_not_proxy_denied if {
	count(violations([gateway("app", [https(simple)]), certificate("app"), proxy("ingress")], 0)) == 1
}

test_wildcard_hosts_denied if {
	s := object.union(https(simple), {"hosts": ["*", "app/*", "api.example.com"]})
	count(violations([gateway("ingress", [s]), certificate("ingress")], 0)) == 2
}

test_plain_http_without_redirect_denied if {
	s := {"port": {"number": 8080, "name": "http", "protocol": "HTTP"}, "hosts": ["api.example.com"]}
	v := violations([gateway("ingress", [s])], 0)
	count(v) == 1
	some f in v
	f.field == "spec.servers[0].tls.httpsRedirect"
}

test_https_passthrough_without_credential_denied if {
	v := violations([gateway("ingress", [https({"mode": "PASSTHROUGH"})])], 0)
	{f.field | some f in v} == {"spec.servers[0].tls.mode", "spec.servers[0].tls.credentialName"}
}

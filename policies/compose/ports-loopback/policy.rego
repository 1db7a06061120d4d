# METADATA
# title: Published ports are bound to the loopback interface
# description: >-
#   Every ports mapping names a host IP of 127.0.0.1 or ::1. Without it docker publishes on all
#   interfaces (and bypasses host firewalls such as ufw); for datastores (postgres, redis, mysql,
#   mongo ...) this is an error, for other services a warning.
# scope: package
# custom:
#   id: compose/ports-loopback
#   input: compose
#   severity: warning
#   kinds: [Compose]
#   ci_only: "reads a docker compose file, which never reaches the API server"
#   rationale: A development database with a known password published on every interface is reachable from the whole network.
#   baseline: 'CIS Docker 5.14 (bind incoming traffic to a specific host interface); REVIEW #14'
package rules.compose.ports_loopback

import data.lib.docker as dlib
import rego.v1

loopback := {"127.0.0.1", "::1", "localhost"}

datastore(svc) if regex.match(`(^|/)(postgres|redis|valkey|mysql|mariadb|mongo|memcached|elasticsearch)(:|@|$)`, svc.image)

severity(svc) := "error" if datastore(svc)

severity(svc) := "warning" if not datastore(svc)

violation contains {"msg": msg, "field": sprintf("services.%s.ports[%d]", [name, i]), "severity": severity(svc)} if {
	some name, svc in dlib.services
	some i, p in svc.ports
	m := dlib.port_mapping(p)
	not m.host_ip in loopback
	msg := sprintf("service '%s' publishes %v on all interfaces; bind it to 127.0.0.1 (\"127.0.0.1:%v:%v\")", [name, p, published(m), m.target])
}

published(m) := m.published if m.published != null

published(m) := m.target if m.published == null

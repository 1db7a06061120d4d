package rules.docker.apk_cache_test

import data.lib.docker_test as t
import data.rules.docker.apk_cache
import rego.v1

df(runs) := t.dockerfile([t.stage(0, null, t.image(1, "node", "22.11.0-alpine", null), runs)])

test_no_cache_alone_allowed if {
	count(apk_cache.violation) == 0 with input as df([t.ins("RUN", 2, "apk add --no-cache dumb-init")])
}

test_update_with_install_allowed if {
	run := t.ins("RUN", 2, "apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*")
	count(apk_cache.violation) == 0 with input as df([run])
}

test_rm_without_no_cache_allowed if {
	count(apk_cache.violation) == 0 with input as df([t.ins("RUN", 2, "apk add curl && rm -rf /var/cache/apk/*")])
}

test_redundant_rm_denied if {
	v := apk_cache.violation with input as df([t.ins("RUN", 2, "apk add --no-cache dumb-init"), t.ins("RUN", 3, "rm -rf /var/cache/apk/*")])
	count(v) == 1
	some x in v
	x.line == 3
}

test_lone_update_denied if {
	v := apk_cache.violation with input as df([t.ins("RUN", 2, "apt-get update"), t.ins("RUN", 3, "apt-get install -y curl")])
	count(v) == 1
	some x in v
	x.line == 2
}

/**
 * Schemas of the constraint kinds. Gatekeeper creates one CRD per ConstraintTemplate at run time,
 * so there is no file to vendor: `gitops schemas sync` builds the same CRD here from the two
 * things Gatekeeper builds it from, the template's parameters schema (our generated templates under
 * base/gatekeeper-policies/templates) and the schema of Gatekeeper's Match type (the pinned
 * module's config/crd/bases/match.gatekeeper.sh_matchcrd.yaml, property `embeddedMatch`).
 * The constraint's spec holds match, enforcementAction, scopedEnforcementActions and parameters.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { TEMPLATES_DIR } from './gatekeeper.js';

export const CONSTRAINT_GROUP = 'constraints.gatekeeper.sh';

type Obj = Record<string, unknown>;

function get(obj: unknown, ...keys: string[]): unknown {
  let cur = obj;
  for (const k of keys) cur = cur !== null && typeof cur === 'object' ? (cur as Obj)[k] : undefined;
  return cur;
}

/** The Match schema from the match CRD text of the pinned Gatekeeper module. */
export function matchSchemaFrom(matchCrdText: string): Obj {
  const crd = parse(matchCrdText) as Obj;
  const versions = get(crd, 'spec', 'versions') as unknown[] | undefined;
  const schema = get(versions?.[0], 'schema', 'openAPIV3Schema', 'properties', 'embeddedMatch');
  if (schema === undefined || schema === null || typeof schema !== 'object') {
    throw new Error('the Gatekeeper match CRD has no openAPIV3Schema.properties.embeddedMatch');
  }
  return schema as Obj;
}

/** A CustomResourceDefinition per generated ConstraintTemplate, as Gatekeeper would create it. */
export function constraintCrds(repoRoot: string, matchSchema: Obj): Obj[] {
  const dir = path.join(repoRoot, TEMPLATES_DIR, 'templates');
  if (!existsSync(dir)) return [];
  const out: Obj[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    const template = parse(readFileSync(path.join(dir, name), 'utf8')) as Obj;
    const kind = get(template, 'spec', 'crd', 'spec', 'names', 'kind');
    if (typeof kind !== 'string') throw new Error(`${TEMPLATES_DIR}/templates/${name}: no spec.crd.spec.names.kind`);
    const parameters = (get(template, 'spec', 'crd', 'spec', 'validation', 'openAPIV3Schema') ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as Obj;
    const enforcementAction = { type: 'string' };
    out.push({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${kind.toLowerCase()}.${CONSTRAINT_GROUP}` },
      spec: {
        group: CONSTRAINT_GROUP,
        names: { kind, plural: kind.toLowerCase(), singular: kind.toLowerCase(), listKind: `${kind}List` },
        scope: 'Cluster',
        versions: [
          {
            name: 'v1beta1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: {
                      match: matchSchema,
                      enforcementAction,
                      scopedEnforcementActions: {
                        type: 'array',
                        items: {
                          type: 'object',
                          properties: {
                            action: { type: 'string' },
                            enforcementPoints: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
                          },
                        },
                      },
                      parameters,
                    },
                  },
                  status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                },
              },
            },
          },
        ],
      },
    });
  }
  return out;
}

/**
 * The report formatters over one fixed sample report: exact output of every format, the exit code
 * table, escaping and ordering.
 */
import { describe, expect, it } from 'vitest';
import { exitCode, formatReport, ruleAnchor, sortFindings, summarize } from '../src/report/index.js';
import type { FormatOptions } from '../src/report/index.js';
import { escapeData, escapeProperty } from '../src/report/github.js';
import { escapeXmlAttr, escapeXmlText } from '../src/report/junit.js';
import type { Finding, Report, Severity } from '../src/pipeline/types.js';

const REPO = '/work/repo';

const backend = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'funlynk', name: 'backend' };

/** Deliberately out of order: every format must sort. */
const FINDINGS: Finding[] = [
  {
    ruleId: 'tool/kubeconform',
    severity: 'error',
    message: 'kubeconform failed:\nexit status 2',
    target: 'overlays/staging',
    resource: null,
    location: null,
    field: null,
  },
  {
    ruleId: 'k8s/run-as-non-root',
    severity: 'error',
    message: "Deployment/backend: container 'backend' may run as root: set securityContext.runAsNonRoot: true",
    target: 'overlays/staging',
    resource: backend,
    location: { file: 'base/backend/deployment.yaml', line: 31, column: 9 },
    field: 'spec.template.spec.containers[0].securityContext.runAsNonRoot',
    related: [{ file: 'overlays/staging/kustomization.yaml', line: 1, column: 1, message: 'rendered by' }],
  },
  {
    ruleId: 'remote/argocd',
    severity: 'info',
    message: 'Application/argocd: points at chart argo-cd 9.1.0, not rendered without --remote',
    target: 'clusters/prod',
    resource: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', namespace: 'argocd', name: 'argocd' },
    location: { file: 'clusters/prod/argocd.yaml', line: 5, column: 3 },
    field: 'spec.source',
    related: [],
  },
  {
    ruleId: 'k8s/image-digest',
    severity: 'warning',
    message: "Deployment/backend: image 'ghcr.io/funlynk/backend:1.4.0' has no digest, 100% of prod images need one",
    target: 'overlays/dev',
    resource: { ...backend, namespace: null },
    location: { file: 'overlays/dev/version.yaml', line: 8, column: 16 },
    field: 'spec.template.spec.containers[0].image',
  },
  {
    ruleId: 'docker/copy-not-add',
    severity: 'error',
    message: 'ADD <url> & "friends": use COPY',
    target: 'base/backend/Dockerfile',
    resource: null,
    location: { file: 'base/backend/Dockerfile', line: 12, column: 1 },
    field: null,
  },
  {
    ruleId: 'k8s/run-as-non-root',
    severity: 'error',
    message: "Deployment/backend: container 'backend' may run as root: set securityContext.runAsNonRoot: true",
    target: 'overlays/prod',
    resource: backend,
    location: { file: 'base/backend/deployment.yaml', line: 31, column: 9 },
    field: 'spec.template.spec.containers[0].securityContext.runAsNonRoot',
    related: [{ file: 'overlays/prod/kustomization.yaml', line: 1, column: 1, message: 'rendered by' }],
  },
];

const TOOLS = { kustomize: 'v5.8.1 (binary)', schemas: 'kubernetes v1.35.0', policies: 'sha256:1f3c' };

function sampleReport(): Report {
  return { version: 1, summary: summarize(FINDINGS, 1, 6, 40, 840, TOOLS, false), findings: FINDINGS };
}

const OPTS: FormatOptions = {
  color: false,
  repoRoot: REPO,
  targets: ['overlays/local', 'overlays/dev', 'overlays/staging', 'overlays/prod', 'clusters/prod', 'base/backend/Dockerfile'],
};

function finding(severity: Severity, ruleId = 'k8s/x'): Finding {
  return { ruleId, severity, message: 'm', target: 't', resource: null, location: { file: 'f.yaml', line: 1, column: 1 }, field: null };
}

function reportOf(findings: Finding[], incomplete = false): Report {
  return { version: 1, summary: summarize(findings, 0, 1, 1, 1, {}, incomplete), findings };
}

describe('summarize', () => {
  it('counts errors and warnings, never info, and keeps REPORT.md key order', () => {
    const s = summarize(FINDINGS, 1, 6, 40, 840, TOOLS, false);
    expect(s).toEqual({ targets: 6, resources: 40, errors: 4, warnings: 1, waived: 1, incomplete: true, durationMs: 840, tools: TOOLS });
    expect(Object.keys(s)).toEqual(['targets', 'resources', 'errors', 'warnings', 'waived', 'incomplete', 'durationMs', 'tools']);
  });

  it('is incomplete when the caller says so or when an input/ or tool/ error is among the findings', () => {
    expect(summarize([finding('error')], 0, 1, 1, 1, {}, false).incomplete).toBe(false);
    expect(summarize([finding('error')], 0, 1, 1, 1, {}, true).incomplete).toBe(true);
    expect(summarize([finding('error', 'input/yaml-syntax')], 0, 1, 0, 1, {}, false).incomplete).toBe(true);
    expect(summarize([finding('error', 'tool/kustomize')], 0, 1, 0, 1, {}, false).incomplete).toBe(true);
    // only errors say a check could not run; an info about a remote base is not that
    expect(summarize([finding('info', 'tool/remote')], 0, 1, 0, 1, {}, false).incomplete).toBe(false);
    expect(summarize([finding('info'), finding('info')], 0, 1, 1, 1, {}, false)).toMatchObject({ errors: 0, warnings: 0 });
  });
});

describe('exitCode', () => {
  const table: [string, Severity[], boolean, 'error' | 'warning', 0 | 1 | 2][] = [
    ['nothing found', [], false, 'error', 0],
    ['nothing found, fail-on warning', [], false, 'warning', 0],
    ['an error', ['error'], false, 'error', 1],
    ['a warning under fail-on error', ['warning'], false, 'error', 0],
    ['a warning under fail-on warning', ['warning'], false, 'warning', 1],
    ['an error under fail-on warning', ['error'], false, 'warning', 1],
    ['info under fail-on error', ['info'], false, 'error', 0],
    ['info never fails, even under fail-on warning', ['info', 'info'], false, 'warning', 0],
    ['incomplete without findings', [], true, 'error', 2],
    ['incomplete wins over errors', ['error', 'warning'], true, 'error', 2],
    ['incomplete wins over warnings under fail-on warning', ['warning'], true, 'warning', 2],
  ];
  it.each(table)('%s', (_name, severities, incomplete, failOn, code) => {
    expect(exitCode(reportOf(severities.map((s) => finding(s)), incomplete), failOn)).toBe(code);
  });

  it('gives 2 for the sample, whose kubeconform could not run', () => {
    expect(exitCode(sampleReport(), 'error')).toBe(2);
  });
});

describe('ordering', () => {
  const expectedOrder = [
    'base/backend/Dockerfile:12 docker/copy-not-add',
    'base/backend/deployment.yaml:31 k8s/run-as-non-root overlays/prod',
    'base/backend/deployment.yaml:31 k8s/run-as-non-root overlays/staging',
    'clusters/prod/argocd.yaml:5 remote/argocd',
    'overlays/dev/version.yaml:8 k8s/image-digest',
    '- tool/kubeconform',
  ];
  const label = (f: Finding): string =>
    `${f.location === null ? '-' : `${f.location.file}:${f.location.line}`} ${f.ruleId}${f.ruleId === 'k8s/run-as-non-root' ? ` ${f.target}` : ''}`;

  it('sorts by file, line, column, rule, message with location-less findings last', () => {
    expect(sortFindings(FINDINGS).map(label)).toEqual(expectedOrder);
  });

  it('gives the same output for any input order', () => {
    const reversed: Report = { ...sampleReport(), findings: [...FINDINGS].reverse() };
    const rotated: Report = { ...sampleReport(), findings: [...FINDINGS.slice(3), ...FINDINGS.slice(0, 3)] };
    for (const format of ['text', 'json', 'sarif', 'junit', 'github'] as const) {
      const a = formatReport(sampleReport(), format, OPTS);
      expect(formatReport(reversed, format, OPTS)).toBe(a);
      expect(formatReport(rotated, format, OPTS)).toBe(a);
    }
  });

  it('orders by line and column numerically, not as text', () => {
    const at = (line: number, column: number): Finding => ({ ...finding('error'), location: { file: 'a.yaml', line, column } });
    expect(sortFindings([at(10, 1), at(9, 12), at(9, 2)]).map((f) => `${f.location?.line}:${f.location?.column}`)).toEqual([
      '9:2',
      '9:12',
      '10:1',
    ]);
  });
});

describe('json', () => {
  it('is the REPORT.md document, keys in order, sorted, related omitted when empty', () => {
    const out = formatReport(sampleReport(), 'json', OPTS);
    const loc = (file: string, line: number, column: number) => ({ file, line, column });
    const expected = {
      version: 1,
      summary: { targets: 6, resources: 40, errors: 4, warnings: 1, waived: 1, incomplete: true, durationMs: 840, tools: TOOLS },
      findings: [
        {
          ruleId: 'docker/copy-not-add',
          severity: 'error',
          message: 'ADD <url> & "friends": use COPY',
          target: 'base/backend/Dockerfile',
          resource: null,
          location: loc('base/backend/Dockerfile', 12, 1),
          field: null,
        },
        {
          ruleId: 'k8s/run-as-non-root',
          severity: 'error',
          message: "Deployment/backend: container 'backend' may run as root: set securityContext.runAsNonRoot: true",
          target: 'overlays/prod',
          resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'funlynk', name: 'backend' },
          location: loc('base/backend/deployment.yaml', 31, 9),
          field: 'spec.template.spec.containers[0].securityContext.runAsNonRoot',
          related: [{ file: 'overlays/prod/kustomization.yaml', line: 1, column: 1, message: 'rendered by' }],
        },
        {
          ruleId: 'k8s/run-as-non-root',
          severity: 'error',
          message: "Deployment/backend: container 'backend' may run as root: set securityContext.runAsNonRoot: true",
          target: 'overlays/staging',
          resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'funlynk', name: 'backend' },
          location: loc('base/backend/deployment.yaml', 31, 9),
          field: 'spec.template.spec.containers[0].securityContext.runAsNonRoot',
          related: [{ file: 'overlays/staging/kustomization.yaml', line: 1, column: 1, message: 'rendered by' }],
        },
        {
          ruleId: 'remote/argocd',
          severity: 'info',
          message: 'Application/argocd: points at chart argo-cd 9.1.0, not rendered without --remote',
          target: 'clusters/prod',
          resource: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', namespace: 'argocd', name: 'argocd' },
          location: loc('clusters/prod/argocd.yaml', 5, 3),
          field: 'spec.source',
        },
        {
          ruleId: 'k8s/image-digest',
          severity: 'warning',
          message: "Deployment/backend: image 'ghcr.io/funlynk/backend:1.4.0' has no digest, 100% of prod images need one",
          target: 'overlays/dev',
          resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: null, name: 'backend' },
          location: loc('overlays/dev/version.yaml', 8, 16),
          field: 'spec.template.spec.containers[0].image',
        },
        {
          ruleId: 'tool/kubeconform',
          severity: 'error',
          message: 'kubeconform failed:\nexit status 2',
          target: 'overlays/staging',
          resource: null,
          location: null,
          field: null,
        },
      ],
    };
    // JSON.stringify keeps the literal's key order, so this compares order as well as content
    expect(out).toBe(`${JSON.stringify(expected, null, 2)}\n`);
    expect(out.startsWith('{\n  "version": 1,\n  "summary": {\n    "targets": 6,')).toBe(true);
  });

  it('prints an empty report', () => {
    const out = formatReport(reportOf([]), 'json', OPTS);
    expect(JSON.parse(out)).toEqual({
      version: 1,
      summary: { targets: 1, resources: 1, errors: 0, warnings: 0, waived: 0, incomplete: false, durationMs: 1, tools: {} },
      findings: [],
    });
  });
});

describe('text', () => {
  const EXPECTED = [
    'base/backend/Dockerfile',
    '  base/backend/Dockerfile:12:1  error    docker/copy-not-add  ADD <url> & "friends": use COPY',
    '',
    'clusters/prod',
    '  clusters/prod/argocd.yaml:5:3  info     remote/argocd  Application/argocd: points at chart argo-cd 9.1.0, not rendered without --remote',
    '',
    'overlays/dev',
    "  overlays/dev/version.yaml:8:16  warning  k8s/image-digest  Deployment/backend: image 'ghcr.io/funlynk/backend:1.4.0' has no digest, 100% of prod images need one",
    '',
    'overlays/prod',
    "  base/backend/deployment.yaml:31:9  error    k8s/run-as-non-root  Deployment/backend: container 'backend' may run as root: set securityContext.runAsNonRoot: true",
    '      overlays/prod/kustomization.yaml:1:1  rendered by',
    '',
    'overlays/staging',
    "  base/backend/deployment.yaml:31:9  error    k8s/run-as-non-root  Deployment/backend: container 'backend' may run as root: set securityContext.runAsNonRoot: true",
    '      overlays/staging/kustomization.yaml:1:1  rendered by',
    '',
    '  overlays/staging  error    tool/kubeconform  kubeconform failed:',
    '        exit status 2',
    '',
    '4 errors, 1 warning, 1 info, 1 waived in 6 targets (40 resources) — incomplete: some checks could not run (see the tool/ and input/ findings)',
    '',
  ].join('\n');

  it('groups by target then file, related locations indented, summary last', () => {
    expect(formatReport(sampleReport(), 'text', OPTS)).toBe(EXPECTED);
  });

  it('colours only when asked, and the same text is left when the colours are removed', () => {
    const coloured = formatReport(sampleReport(), 'text', { ...OPTS, color: true });
    expect(coloured).toContain('\u001b[1mbase/backend/Dockerfile\u001b[0m\n');
    expect(coloured).toContain('  base/backend/Dockerfile:12:1  \u001b[1;31merror\u001b[0m    docker/copy-not-add');
    expect(coloured).toContain('  overlays/dev/version.yaml:8:16  \u001b[33mwarning\u001b[0m  k8s/image-digest');
    expect(coloured).toContain('  clusters/prod/argocd.yaml:5:3  \u001b[36minfo\u001b[0m     remote/argocd');
    expect(coloured).toContain('\u001b[2m      overlays/prod/kustomization.yaml:1:1  rendered by\u001b[0m');
    // eslint-disable-next-line no-control-regex
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(EXPECTED);
    expect(formatReport(sampleReport(), 'text', OPTS)).not.toContain('\u001b');
  });

  it('summarises a clean run in one line, singular where one', () => {
    const clean: Report = { version: 1, summary: summarize([], 0, 1, 1, 5, {}, false), findings: [] };
    expect(formatReport(clean, 'text', OPTS)).toBe('0 errors, 0 warnings, 0 info, 0 waived in 1 target (1 resource)\n');
    expect(formatReport(clean, 'text', { ...OPTS, color: true })).toBe(
      '\u001b[32m0 errors, 0 warnings, 0 info, 0 waived in 1 target (1 resource)\u001b[0m\n',
    );
  });

  it('brief: only the findings that fail the run, the rest counted in the summary line', () => {
    // EXPECTED without the clusters/prod (info) and overlays/dev (warning) groups.
    const lines = EXPECTED.split('\n');
    expect(lines[3]).toBe('clusters/prod');
    expect(lines[6]).toBe('overlays/dev');
    expect(lines[9]).toBe('overlays/prod');
    const brief = formatReport(sampleReport(), 'text', { ...OPTS, brief: true });
    expect(brief).toBe([
      ...lines.slice(0, 3),
      ...lines.slice(9, -2),
      `${lines.at(-2)}; 2 below --fail-on not listed (run without --brief to see them)`,
      '',
    ].join('\n'));
    // With --fail-on warning the warning fails the run too: only the info is left out.
    const strict = formatReport(sampleReport(), 'text', { ...OPTS, brief: true, failOn: 'warning' });
    expect(strict).toContain('overlays/dev/version.yaml:8:16  warning  k8s/image-digest');
    expect(strict).not.toContain('remote/argocd');
    expect(strict).toMatch(/; 1 below --fail-on not listed \(run without --brief to see it\)\n$/);
  });

  it('brief: a passing run is the summary line alone', () => {
    const warnings = [finding('warning'), { ...finding('info'), ruleId: 'k8s/y' }];
    const report: Report = { version: 1, summary: summarize(warnings, 0, 2, 7, 5, {}, false), findings: warnings };
    expect(exitCode(report, 'error')).toBe(0);
    expect(formatReport(report, 'text', { ...OPTS, brief: true })).toBe(
      '0 errors, 1 warning, 1 info, 0 waived in 2 targets (7 resources); 2 below --fail-on not listed (run without --brief to see them)\n',
    );
    expect(formatReport(reportOf([]), 'text', { ...OPTS, brief: true })).toBe(formatReport(reportOf([]), 'text', OPTS));
  });

  it('shows absolute paths inside the repository relative to it', () => {
    const f: Finding = { ...finding('error'), target: 'overlays/dev', location: { file: `${REPO}/base/a.yaml`, line: 2, column: 3 } };
    expect(formatReport(reportOf([f]), 'text', OPTS).split('\n')[1]).toBe('  base/a.yaml:2:3  error    k8s/x  m');
  });
});

describe('github', () => {
  it('prints one workflow command per finding and the summary', () => {
    expect(formatReport(sampleReport(), 'github', OPTS)).toBe(
      [
        '::error file=base/backend/Dockerfile,line=12,col=1,title=docker/copy-not-add::ADD <url> & "friends": use COPY',
        "::error file=base/backend/deployment.yaml,line=31,col=9,title=k8s/run-as-non-root::Deployment/backend: container 'backend' may run as root: set securityContext.runAsNonRoot: true%0A  overlays/prod/kustomization.yaml:1:1: rendered by",
        "::error file=base/backend/deployment.yaml,line=31,col=9,title=k8s/run-as-non-root::Deployment/backend: container 'backend' may run as root: set securityContext.runAsNonRoot: true%0A  overlays/staging/kustomization.yaml:1:1: rendered by",
        '::notice file=clusters/prod/argocd.yaml,line=5,col=3,title=remote/argocd::Application/argocd: points at chart argo-cd 9.1.0, not rendered without --remote',
        "::warning file=overlays/dev/version.yaml,line=8,col=16,title=k8s/image-digest::Deployment/backend: image 'ghcr.io/funlynk/backend:1.4.0' has no digest, 100%25 of prod images need one",
        '::error title=tool/kubeconform::overlays/staging: kubeconform failed:%0Aexit status 2',
        'gitops validate: 4 errors, 1 warning, 1 info, 1 waived in 6 targets (40 resources) — incomplete: some checks could not run (see the tool/ and input/ findings)',
        '',
      ].join('\n'),
    );
  });

  it('escapes data and properties as the runner parses them', () => {
    expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b');
    expect(escapeProperty('a:b,c%d\ne')).toBe('a%3Ab%2Cc%25d%0Ae');
    // % is escaped first, so an already escaped-looking text survives the round trip
    expect(escapeData('%0A')).toBe('%250A');
  });

  it('escapes commas, colons, newlines and percent in file and title, and never splits a command over lines', () => {
    const f: Finding = {
      ...finding('warning', 'k8s/odd:rule,name'),
      message: 'line one\nline two: 50%, done\r',
      location: { file: 'base/we,ird:dir/x.yaml', line: 4, column: 2 },
    };
    const out = formatReport(reportOf([f]), 'github', OPTS).split('\n');
    expect(out[0]).toBe(
      '::warning file=base/we%2Cird%3Adir/x.yaml,line=4,col=2,title=k8s/odd%3Arule%2Cname::line one%0Aline two: 50%25, done%0D',
    );
    expect(out).toHaveLength(3);
  });

  it('names the target of a finding without a location, unless it is the whole repository', () => {
    const f: Finding = { ...finding('error', 'tool/policy-bundle'), location: null, message: 'stale' };
    expect(formatReport(reportOf([{ ...f, target: 'overlays/dev' }]), 'github', OPTS).split('\n')[0]).toBe(
      '::error title=tool/policy-bundle::overlays/dev: stale',
    );
    expect(formatReport(reportOf([{ ...f, target: '.' }]), 'github', OPTS).split('\n')[0]).toBe('::error title=tool/policy-bundle::stale');
  });

  it('names a file outside the repository in the message instead of annotating it', () => {
    const f: Finding = { ...finding('error'), location: { file: '/elsewhere/x.yaml', line: 3, column: 1 } };
    expect(formatReport(reportOf([f]), 'github', OPTS).split('\n')[0]).toBe('::error title=k8s/x::/elsewhere/x.yaml:3:1: m');
  });
});

describe('junit', () => {
  it('has one suite per target and one case per target and rule', () => {
    expect(formatReport(sampleReport(), 'junit', OPTS)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="gitops validate" tests="7" failures="3" errors="1" time="0.840">',
        '  <testsuite name="base/backend/Dockerfile" tests="1" failures="1" errors="0" skipped="0">',
        '    <testcase classname="base/backend/Dockerfile" name="docker/copy-not-add">',
        '      <failure type="error" message="ADD &lt;url&gt; &amp; &quot;friends&quot;: use COPY">base/backend/Dockerfile:12:1 error ADD &lt;url&gt; &amp; "friends": use COPY</failure>',
        '    </testcase>',
        '  </testsuite>',
        '  <testsuite name="clusters/prod" tests="1" failures="0" errors="0" skipped="0">',
        '    <testcase classname="clusters/prod" name="remote/argocd">',
        '      <system-out>clusters/prod/argocd.yaml:5:3 info Application/argocd: points at chart argo-cd 9.1.0, not rendered without --remote</system-out>',
        '    </testcase>',
        '  </testsuite>',
        '  <testsuite name="overlays/dev" tests="1" failures="0" errors="0" skipped="0">',
        '    <testcase classname="overlays/dev" name="k8s/image-digest">',
        "      <system-out>overlays/dev/version.yaml:8:16 warning Deployment/backend: image 'ghcr.io/funlynk/backend:1.4.0' has no digest, 100% of prod images need one</system-out>",
        '    </testcase>',
        '  </testsuite>',
        '  <testsuite name="overlays/local" tests="1" failures="0" errors="0" skipped="0">',
        '    <testcase classname="overlays/local" name="all checks"/>',
        '  </testsuite>',
        '  <testsuite name="overlays/prod" tests="1" failures="1" errors="0" skipped="0">',
        '    <testcase classname="overlays/prod" name="k8s/run-as-non-root">',
        "      <failure type=\"error\" message=\"Deployment/backend: container &apos;backend&apos; may run as root: set securityContext.runAsNonRoot: true\">base/backend/deployment.yaml:31:9 error Deployment/backend: container 'backend' may run as root: set securityContext.runAsNonRoot: true</failure>",
        '    </testcase>',
        '  </testsuite>',
        '  <testsuite name="overlays/staging" tests="2" failures="1" errors="1" skipped="0">',
        '    <testcase classname="overlays/staging" name="k8s/run-as-non-root">',
        "      <failure type=\"error\" message=\"Deployment/backend: container &apos;backend&apos; may run as root: set securityContext.runAsNonRoot: true\">base/backend/deployment.yaml:31:9 error Deployment/backend: container 'backend' may run as root: set securityContext.runAsNonRoot: true</failure>",
        '    </testcase>',
        '    <testcase classname="overlays/staging" name="tool/kubeconform">',
        '      <error type="error" message="kubeconform failed:&#10;exit status 2">overlays/staging error kubeconform failed:',
        'exit status 2</error>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  it('fails warnings under fail-on warning, and lists every finding of a rule in one failure', () => {
    const a: Finding = { ...finding('warning', 'k8s/w'), target: 'overlays/dev', location: { file: 'a.yaml', line: 2, column: 1 }, message: 'first' };
    const b: Finding = { ...a, location: { file: 'a.yaml', line: 9, column: 5 }, message: 'second' };
    const out = formatReport(reportOf([b, a]), 'junit', { ...OPTS, targets: [], failOn: 'warning' });
    expect(out).toContain(
      '<testsuite name="overlays/dev" tests="1" failures="1" errors="0" skipped="0">\n' +
        '    <testcase classname="overlays/dev" name="k8s/w">\n' +
        '      <failure type="warning" message="2 findings of k8s/w">a.yaml:2:1 warning first\na.yaml:9:5 warning second</failure>\n',
    );
    expect(formatReport(reportOf([b, a]), 'junit', { ...OPTS, targets: [] })).toContain('<system-out>a.yaml:2:1 warning first');
  });

  it('escapes XML special characters and drops characters XML cannot carry', () => {
    expect(escapeXmlText('a < b && c > "d" \'e\'')).toBe('a &lt; b &amp;&amp; c &gt; "d" \'e\'');
    expect(escapeXmlAttr('a < b & "c" \'d\'\n\te')).toBe('a &lt; b &amp; &quot;c&quot; &apos;d&apos;&#10;&#9;e');
    expect(escapeXmlText('bell\u0007 nul\u0000 ok\u00e9 \ud83d\ude00 lone\ud800')).toBe('bell\ufffd nul\ufffd ok\u00e9 \ud83d\ude00 lone\ufffd');
    const f: Finding = { ...finding('error', 'k8s/<&>'), target: 'overlays/"q"', message: ']]> <tag attr="v">' };
    const out = formatReport(reportOf([f]), 'junit', { ...OPTS, targets: [] });
    expect(out).toContain('<testsuite name="overlays/&quot;q&quot;"');
    expect(out).toContain('<testcase classname="overlays/&quot;q&quot;" name="k8s/&lt;&amp;&gt;">');
    expect(out).toContain('message="]]&gt; &lt;tag attr=&quot;v&quot;&gt;">f.yaml:1:1 error ]]&gt; &lt;tag attr="v"&gt;</failure>');
  });
});

describe('sarif', () => {
  type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const parse = (opts: FormatOptions = OPTS): Json => JSON.parse(formatReport(sampleReport(), 'sarif', opts)) as Json;

  /** The properties SARIF 2.1.0 requires, and what GitHub code scanning needs of each result. */
  function checkStructure(doc: Json): void {
    expect(doc.version).toBe('2.1.0');
    expect(doc.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(Array.isArray(doc.runs)).toBe(true);
    for (const run of doc.runs as Json[]) {
      expect(typeof run.tool.driver.name).toBe('string');
      const ruleIds = (run.tool.driver.rules as Json[]).map((r) => r.id as string);
      expect(new Set(ruleIds).size).toBe(ruleIds.length);
      for (const rule of run.tool.driver.rules as Json[]) {
        expect(typeof rule.shortDescription.text).toBe('string');
        expect(['error', 'warning', 'note']).toContain(rule.defaultConfiguration.level);
        if (rule.helpUri !== undefined) expect(rule.helpUri).toMatch(/^https?:\/\//);
      }
      for (const result of run.results as Json[]) {
        expect(typeof result.message.text).toBe('string');
        expect(['error', 'warning', 'note']).toContain(result.level);
        expect(ruleIds[result.ruleIndex as number]).toBe(result.ruleId);
        expect((result.locations as Json[]).length).toBe(1);
        for (const loc of [...(result.locations as Json[]), ...((result.relatedLocations as Json[] | undefined) ?? [])]) {
          const pl = loc.physicalLocation as Json;
          expect(typeof pl.artifactLocation.uri).toBe('string');
          if (pl.region !== undefined) {
            expect(pl.region.startLine).toBeGreaterThanOrEqual(1);
            expect(pl.region.startColumn).toBeGreaterThanOrEqual(1);
          }
        }
      }
    }
  }

  it('has the structure SARIF 2.1.0 and code scanning require', () => {
    const doc = parse();
    checkStructure(doc);
    expect(doc.runs).toHaveLength(1);
    const run = doc.runs[0] as Json;
    expect(run.tool.driver.name).toBe('funlynk-gitops');
    expect(run.invocations).toEqual([{ executionSuccessful: false }]);
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///work/repo/' } });
    expect(run.columnKind).toBe('utf16CodeUnits');
    expect(run.properties).toEqual({ targets: 6, resources: 40, waived: 1, incomplete: true, tools: TOOLS });
  });

  it('describes every rule that fired, with its level and documentation', () => {
    const rules = parse().runs[0].tool.driver.rules as Json[];
    expect(rules.map((r) => r.id)).toEqual(['docker/copy-not-add', 'k8s/image-digest', 'k8s/run-as-non-root', 'remote/argocd', 'tool/kubeconform']);
    expect(rules[2]).toEqual({
      id: 'k8s/run-as-non-root',
      shortDescription: { text: 'k8s/run-as-non-root' },
      defaultConfiguration: { level: 'error' },
      help: { text: 'See docs/POLICIES.md#k8srun-as-non-root', markdown: 'See [k8s/run-as-non-root](docs/POLICIES.md#k8srun-as-non-root).' },
    });
    expect(rules[3].defaultConfiguration).toEqual({ level: 'note' });
    // The gate's own rules take their title from the catalogue, and are documented in the same file.
    expect(rules[4]).toMatchObject({
      shortDescription: { text: 'kubeconform is missing or failed' },
      help: { text: 'See docs/POLICIES.md#toolkubeconform' },
    });
    expect(rules[3].shortDescription).toEqual({ text: 'remote/argocd' });
  });

  it('takes titles and severities from the catalogue and links helpUri when given a base', () => {
    const doc = parse({
      ...OPTS,
      helpBaseUri: 'https://github.example/org/gitops/blob/0123abc',
      toolVersion: '0.1.0',
      rules: [
        { id: 'k8s/run-as-non-root', title: 'Containers must not run as root', severity: 'error' },
        { id: 'k8s/allow-privilege-escalation', title: 'No privilege escalation', severity: 'error' },
      ],
    });
    checkStructure(doc);
    const driver = doc.runs[0].tool.driver as Json;
    expect(driver.version).toBe('0.1.0');
    expect((driver.rules as Json[]).map((r) => r.id)).toEqual([
      'docker/copy-not-add',
      'k8s/allow-privilege-escalation',
      'k8s/image-digest',
      'k8s/run-as-non-root',
      'remote/argocd',
      'tool/kubeconform',
    ]);
    expect(driver.rules[3]).toMatchObject({
      shortDescription: { text: 'Containers must not run as root' },
      helpUri: 'https://github.example/org/gitops/blob/0123abc/docs/POLICIES.md#k8srun-as-non-root',
    });
    const indexes = (doc.runs[0].results as Json[]).map((r) => `${r.ruleId}@${r.ruleIndex}`);
    expect(indexes).toContain('k8s/run-as-non-root@3');
  });

  it('maps severities, locations and related locations', () => {
    const results = parse().runs[0].results as Json[];
    expect(results.map((r) => `${r.level} ${r.ruleId}`)).toEqual([
      'error docker/copy-not-add',
      'error k8s/run-as-non-root',
      'error k8s/run-as-non-root',
      'note remote/argocd',
      'warning k8s/image-digest',
      'error tool/kubeconform',
    ]);
    const prod = results[1] as Json;
    expect(prod.message).toEqual({ text: "Deployment/backend: container 'backend' may run as root: set securityContext.runAsNonRoot: true" });
    expect(prod.locations).toEqual([
      {
        physicalLocation: {
          artifactLocation: { uri: 'base/backend/deployment.yaml', uriBaseId: '%SRCROOT%' },
          region: { startLine: 31, startColumn: 9 },
        },
      },
    ]);
    expect(prod.relatedLocations).toEqual([
      {
        id: 1,
        physicalLocation: {
          artifactLocation: { uri: 'overlays/prod/kustomization.yaml', uriBaseId: '%SRCROOT%' },
          region: { startLine: 1, startColumn: 1 },
        },
        message: { text: 'rendered by' },
      },
    ]);
    expect(prod.properties).toEqual({
      target: 'overlays/prod',
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'funlynk', name: 'backend' },
      field: 'spec.template.spec.containers[0].securityContext.runAsNonRoot',
    });
    expect(results[0].relatedLocations).toBeUndefined();
    // no location: attached to the target path, without a region
    expect(results[5].locations).toEqual([{ physicalLocation: { artifactLocation: { uri: 'overlays/staging', uriBaseId: '%SRCROOT%' } } }]);
  });

  it('encodes paths as URI references and files outside the repository as file URIs', () => {
    const inside: Finding = { ...finding('error'), location: { file: 'base/my dir/a#1.yaml', line: 1, column: 1 } };
    const outside: Finding = { ...finding('error'), location: { file: '/tmp/other repo/x.yaml', line: 2, column: 1 } };
    const doc = JSON.parse(formatReport(reportOf([inside, outside]), 'sarif', OPTS)) as Json;
    const uris = (doc.runs[0].results as Json[]).map((r) => r.locations[0].physicalLocation.artifactLocation);
    expect(uris).toEqual([{ uri: 'file:///tmp/other%20repo/x.yaml' }, { uri: 'base/my%20dir/a%231.yaml', uriBaseId: '%SRCROOT%' }]);
  });

  it('fingerprints by rule, target, resource and field: stable when lines move, distinct otherwise', () => {
    const fp = (findings: Finding[]): string[] =>
      ((JSON.parse(formatReport(reportOf(findings), 'sarif', OPTS)) as Json).runs[0].results as Json[]).map(
        (r) => r.partialFingerprints['funlynkGitops/v1'] as string,
      );
    const base = FINDINGS[5] as Finding;
    const moved: Finding = { ...base, location: { file: 'base/backend/deployment.yaml', line: 40, column: 9 } };
    const [before] = fp([base]);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(fp([moved])).toEqual([before]);
    expect(fp([{ ...base, target: 'overlays/staging' }])[0]).not.toBe(before);
    expect(fp([{ ...base, field: 'spec.template.spec.securityContext.runAsNonRoot' }])[0]).not.toBe(before);
    expect(fp([{ ...base, resource: { ...backend, name: 'worker' } }])[0]).not.toBe(before);
    // two findings that still collide get their order appended, so code scanning keeps both
    const twin: Finding = { ...base, location: { file: 'base/backend/deployment.yaml', line: 50, column: 9 } };
    expect(fp([base, twin])).toEqual([before, `${before}:2`]);
    // file findings without a field (a Dockerfile instruction) are told apart by their message
    const df = FINDINGS[4] as Finding;
    const [one, other] = fp([df, { ...df, message: 'ADD again', location: { file: 'base/backend/Dockerfile', line: 20, column: 1 } }]);
    expect(one).not.toBe(other);
  });

  it('anchors rule ids the way GitHub slugs a heading', () => {
    expect(ruleAnchor('k8s/run-as-non-root')).toBe('k8srun-as-non-root');
    expect(ruleAnchor('Istio/PeerAuthentication Strict')).toBe('istiopeerauthentication-strict');
  });
});

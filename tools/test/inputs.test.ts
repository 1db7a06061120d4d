import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { buildComposeInput } from '../src/inputs/compose.js';
import { loadDockerfile, parseDockerfile, parseImageRef, parseWithProblems } from '../src/inputs/dockerfile.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const seed = path.join(here, 'fixtures/seed');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'gitops-inputs-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const MULTI_STAGE = [
  '# syntax=docker/dockerfile:1', // 1
  'ARG NODE_VERSION=22.11.0', // 2
  'ARG BASE=node:${NODE_VERSION}-alpine', // 3
  'FROM ${BASE} AS Build', // 4
  'WORKDIR /app', // 5
  'COPY package.json package-lock.json ./', // 6
  'RUN npm ci \\', // 7
  '    --omit=dev \\', // 8
  '  && npm cache clean --force', // 9
  '', // 10
  'FROM gcr.io/distroless/nodejs22-debian12:nonroot@sha256:' + '0'.repeat(64) + ' AS runtime', // 11
  'COPY --from=build --chown=1000:1000 /app/node_modules ./node_modules', // 12
  'ENV NODE_ENV=production PORT="8080"', // 13
  'EXPOSE 8080/tcp', // 14
  'USER 1000:1000', // 15
  'HEALTHCHECK --interval=30s CMD ["/nodejs/bin/node", "healthcheck.js"]', // 16
  'CMD ["dist/server.js"]', // 17
  'FROM build', // 18
  'RUN --mount=type=cache,target=/root/.npm npm test', // 19
  '',
].join('\n');

describe('parseDockerfile', () => {
  it('reads stages, FROM references, flags, exec form and continuation lines', () => {
    const input = parseDockerfile(MULTI_STAGE, 'base/app/Dockerfile', null);
    expect(input.kind).toBe('dockerfile');
    expect(input.file).toBe('base/app/Dockerfile');
    const { stages, globalArgs, dockerignore } = input.resource;
    expect(globalArgs).toEqual([
      { name: 'NODE_VERSION', value: '22.11.0', line: 2 },
      { name: 'BASE', value: 'node:${NODE_VERSION}-alpine', line: 3 },
    ]);
    expect(dockerignore).toEqual({ exists: false, patterns: [] });
    expect(stages.map((s) => [s.index, s.name, s.line])).toEqual([
      [0, 'build', 4],
      [1, 'runtime', 11],
      [2, null, 18],
    ]);
    expect(stages[0]?.from).toEqual({
      raw: '${BASE}',
      image: 'node',
      registry: 'docker.io',
      repository: 'library/node',
      tag: '22.11.0-alpine',
      digest: null,
      stage: null,
      line: 4,
    });
    expect(stages[1]?.from).toEqual({
      raw: `gcr.io/distroless/nodejs22-debian12:nonroot@sha256:${'0'.repeat(64)}`,
      image: 'gcr.io/distroless/nodejs22-debian12',
      registry: 'gcr.io',
      repository: 'distroless/nodejs22-debian12',
      tag: 'nonroot',
      digest: `sha256:${'0'.repeat(64)}`,
      stage: null,
      line: 11,
    });
    expect(stages[2]?.from).toEqual({
      raw: 'build',
      image: 'build',
      registry: null,
      repository: null,
      tag: null,
      digest: null,
      stage: 0,
      line: 18,
    });

    const build = stages[0]!.instructions;
    expect(build.map((i) => [i.keyword, i.line])).toEqual([
      ['WORKDIR', 5],
      ['COPY', 6],
      ['RUN', 7],
    ]);
    expect(build[2]).toEqual({
      keyword: 'RUN',
      line: 7,
      raw: 'npm ci     --omit=dev   && npm cache clean --force',
      args: ['npm', 'ci', '--omit=dev', '&&', 'npm', 'cache', 'clean', '--force'],
      flags: {},
      json: false,
    });

    const runtime = stages[1]!.instructions;
    expect(runtime.map((i) => i.keyword)).toEqual(['COPY', 'ENV', 'EXPOSE', 'USER', 'HEALTHCHECK', 'CMD']);
    expect(runtime[0]).toEqual({
      keyword: 'COPY',
      line: 12,
      raw: '--from=build --chown=1000:1000 /app/node_modules ./node_modules',
      args: ['/app/node_modules', './node_modules'],
      flags: { from: 'build', chown: '1000:1000' },
      json: false,
    });
    expect(runtime[1]?.args).toEqual(['NODE_ENV=production', 'PORT=8080']);
    expect(runtime[2]?.args).toEqual(['8080/tcp']);
    expect(runtime[4]).toEqual({
      keyword: 'HEALTHCHECK',
      line: 16,
      raw: '--interval=30s CMD ["/nodejs/bin/node", "healthcheck.js"]',
      args: ['CMD', '/nodejs/bin/node', 'healthcheck.js'],
      flags: { interval: '30s' },
      json: true,
    });
    expect(runtime[5]).toMatchObject({ keyword: 'CMD', line: 17, args: ['dist/server.js'], json: true });

    const test = stages[2]!.instructions;
    expect(test).toEqual([
      {
        keyword: 'RUN',
        line: 19,
        raw: '--mount=type=cache,target=/root/.npm npm test',
        args: ['npm', 'test'],
        flags: { mount: 'type=cache,target=/root/.npm' },
        json: false,
      },
    ]);
  });

  it('normalises image references like docker', () => {
    expect(parseImageRef('nginx')).toEqual({
      image: 'nginx',
      registry: 'docker.io',
      repository: 'library/nginx',
      tag: null,
      digest: null,
    });
    expect(parseImageRef('bitnami/redis:7.4.1')).toMatchObject({ registry: 'docker.io', repository: 'bitnami/redis', tag: '7.4.1' });
    expect(parseImageRef('ghcr.io/funlynk/backend:1.2.3')).toMatchObject({
      registry: 'ghcr.io',
      repository: 'funlynk/backend',
      tag: '1.2.3',
    });
    expect(parseImageRef('localhost:5000/app')).toMatchObject({ registry: 'localhost:5000', repository: 'app', tag: null });
    expect(parseImageRef('docker.io/library/node:22')).toMatchObject({ registry: 'docker.io', repository: 'library/node', tag: '22' });
    expect(parseImageRef('scratch')).toMatchObject({ registry: null, repository: null });
  });

  it('substitutes ARG defaults with :- and leaves unknown variables visible', () => {
    const text = 'ARG TAG\nFROM node:${TAG:-22.11.0}\nFROM nginx:${NGINX}\n';
    const { stages } = parseDockerfile(text, 'Dockerfile', null).resource;
    expect(stages[0]?.from.tag).toBe('22.11.0');
    expect(stages[1]?.from).toMatchObject({ raw: 'nginx:${NGINX}', tag: '${NGINX}' });
  });

  it('parses .dockerignore text into patterns', () => {
    const input = parseDockerfile('FROM node:22\n', 'Dockerfile', '# comment\n.git\n\n  node_modules  \n.env*\n');
    expect(input.resource.dockerignore).toEqual({ exists: true, patterns: ['.git', 'node_modules', '.env*'] });
  });
});

describe('parse problems', () => {
  it('reports an empty file on line 1 instead of throwing', () => {
    const { input, problems } = parseWithProblems('', 'Dockerfile', null);
    expect(problems).toEqual([{ message: 'empty Dockerfile: no FROM instruction', line: 1, column: 1 }]);
    expect(input.resource.stages).toEqual([]);
  });

  it('reports garbage as unknown instructions with their lines', () => {
    const { input, problems } = parseWithProblems('FROM node:22.11.0\n{{ not a dockerfile }}\n  BOGUS x\n', 'Dockerfile', null);
    expect(problems).toEqual([
      { message: "unknown instruction '{{'", line: 2, column: 1 },
      { message: "unknown instruction 'BOGUS'", line: 3, column: 3 },
    ]);
    expect(input.resource.stages).toHaveLength(1);
    expect(input.resource.stages[0]?.instructions).toEqual([]);
  });

  it('reports instructions before FROM and a file without FROM', () => {
    const { problems } = parseWithProblems('# just a comment\nRUN echo hi\nUSER 1000\n', 'Dockerfile', null);
    expect(problems).toEqual([
      { message: 'RUN before the first FROM (only ARG may come first)', line: 2, column: 1 },
      { message: 'USER before the first FROM (only ARG may come first)', line: 3, column: 1 },
      { message: 'no FROM instruction', line: 3, column: 1 },
    ]);
  });

  it('reports a FROM without image and a malformed AS', () => {
    const { problems, input } = parseWithProblems('FROM\nFROM node:22 build\n', 'Dockerfile', null);
    expect(problems).toEqual([
      { message: 'FROM names no image', line: 1, column: 1 },
      { message: "FROM takes 'image [AS name]', found 'node:22 build'", line: 2, column: 1 },
    ]);
    expect(input.resource.stages).toHaveLength(1);
  });

  it('reports an unreadable file as a problem', async () => {
    const { input, problems } = await loadDockerfile(path.join(tmp, 'missing/Dockerfile'), 'missing/Dockerfile');
    expect(problems).toEqual([{ message: 'cannot read Dockerfile (ENOENT)', line: 1, column: 1 }]);
    expect(input.file).toBe('missing/Dockerfile');
  });
});

describe('loadDockerfile on the seed', () => {
  it('reads the backend Dockerfile with the stage and instruction lines of the file', async () => {
    const { input, problems } = await loadDockerfile(path.join(seed, 'backend/Dockerfile'), 'backend/Dockerfile');
    expect(problems).toEqual([]);
    const stages = input.resource.stages;
    expect(stages.map((s) => [s.name, s.line, s.from.raw, s.from.tag, s.from.stage])).toEqual([
      ['base', 2, 'node:18-alpine', '18-alpine', null],
      ['development', 8, 'node:18-alpine', '18-alpine', null],
      ['build', 17, 'node:18-alpine', '18-alpine', null],
      ['production', 26, 'node:18-alpine', '18-alpine', null],
    ]);
    const production = stages[3]!.instructions;
    expect(production.map((i) => `${i.keyword}@${i.line}`)).toEqual([
      'RUN@27',
      'RUN@28',
      'WORKDIR@30',
      'COPY@33',
      'COPY@34',
      'COPY@35',
      'RUN@38',
      'RUN@39',
      'USER@41',
      'EXPOSE@43',
      'HEALTHCHECK@45',
      'ENTRYPOINT@48',
      'CMD@49',
    ]);
    expect(production[3]?.flags).toEqual({ from: 'build', chown: 'nodejs:nodejs' });
    expect(production[10]).toMatchObject({
      args: ['CMD', 'node', 'healthcheck.js'],
      flags: { interval: '30s', timeout: '3s', 'start-period': '5s', retries: '3' },
      json: false,
    });
    expect(production[11]).toMatchObject({ keyword: 'ENTRYPOINT', args: ['dumb-init', '--'], json: true });
    expect(input.resource.dockerignore).toEqual({ exists: false, patterns: [] });
  });

  it('reads the admin Dockerfile', async () => {
    const { input, problems } = await loadDockerfile(path.join(seed, 'admin-dashboard/Dockerfile'), 'admin-dashboard/Dockerfile');
    expect(problems).toEqual([]);
    const [build, production] = input.resource.stages;
    expect([build?.name, build?.line, production?.name, production?.line]).toEqual(['build', 2, 'production', 14]);
    expect(production?.from).toMatchObject({ image: 'nginx', repository: 'library/nginx', tag: 'alpine', digest: null });
    expect(production?.instructions.map((i) => `${i.keyword}@${i.line}`)).toEqual([
      'COPY@17',
      'COPY@20',
      'RUN@23',
      'RUN@24',
      'RUN@27',
      'RUN@28',
      'EXPOSE@30',
      'HEALTHCHECK@32',
      'USER@35',
      'ENTRYPOINT@37',
      'CMD@38',
    ]);
    expect(production?.instructions[1]).toMatchObject({ args: ['/app/build', '/usr/share/nginx/html'], flags: { from: 'build' } });
  });

  it('prefers <Dockerfile>.dockerignore over the context .dockerignore', async () => {
    const dir = path.join(tmp, 'ignore');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'app.Dockerfile'), 'FROM node:22.11.0\nCOPY . .\n');
    await writeFile(path.join(dir, '.dockerignore'), '.git\n');
    expect((await loadDockerfile(path.join(dir, 'app.Dockerfile'), 'app.Dockerfile')).input.resource.dockerignore).toEqual({
      exists: true,
      patterns: ['.git'],
    });
    await writeFile(path.join(dir, 'app.Dockerfile.dockerignore'), '.git\n.env\nnode_modules\n');
    expect((await loadDockerfile(path.join(dir, 'app.Dockerfile'), 'app.Dockerfile')).input.resource.dockerignore).toEqual({
      exists: true,
      patterns: ['.git', '.env', 'node_modules'],
    });
  });
});

describe('buildComposeInput', () => {
  it('resolves build contexts and Dockerfiles, and checks bind sources and env files', async () => {
    const root = path.join(tmp, 'repo');
    const compose = path.join(root, 'overlays/local/compose.yaml');
    await mkdir(path.join(root, 'base/backend'), { recursive: true });
    await mkdir(path.join(root, 'overlays/local/nginx'), { recursive: true });
    await mkdir(path.join(root, 'apps/admin'), { recursive: true });
    await writeFile(path.join(root, 'base/backend/Dockerfile'), 'FROM node:22.11.0-alpine AS development\nEXPOSE 3000\n');
    await writeFile(path.join(root, 'apps/admin/Dockerfile'), 'FROM nginx:1.27.3-alpine\nEXPOSE 8080\n');
    await writeFile(path.join(root, 'apps/admin/.dockerignore'), '.git\n');
    await writeFile(path.join(root, 'overlays/local/nginx/nginx.conf'), 'events {}\n');
    await writeFile(path.join(root, 'overlays/local/.env'), 'A=1\n');
    const doc = YAML.parse(`
services:
  backend:
    build:
      context: ../../../backend-repo
      dockerfile: ${path.join(root, 'base/backend/Dockerfile')}
      target: development
    env_file: [.env, {path: missing.env, required: false}]
  admin:
    build: ../../apps/admin
  relative:
    build:
      context: ../../apps
      dockerfile: ../base/backend/Dockerfile
  missing:
    build: ./nowhere
  remote:
    build: https://github.com/funlynk/backend.git#main
  nginx:
    image: nginx:1.27.3-alpine
    env_file: ./nginx.env
    volumes:
      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro
      - ./nginx/ssl:/etc/nginx/ssl
      - cache:/var/cache/nginx
      - type: bind
        source: ./scripts/init-db.sql
        target: /docker-entrypoint-initdb.d/init-db.sql
      - type: volume
        source: data
        target: /data
      - \${CERTS_DIR}:/certs
volumes:
  cache: {}
  data: {}
`);
    const input = await buildComposeInput(doc, compose, 'overlays/local/compose.yaml', root);
    expect(input.kind).toBe('compose');
    expect(input.file).toBe('overlays/local/compose.yaml');
    expect(input.resource).toBe(doc);
    expect(Object.keys(input.dockerfiles).sort()).toEqual(['admin', 'backend', 'missing', 'relative', 'remote']);
    expect(input.dockerfiles['backend']?.file).toBe('base/backend/Dockerfile');
    expect(input.dockerfiles['backend']?.resource.stages.map((s) => s.name)).toEqual(['development']);
    expect(input.dockerfiles['relative']?.file).toBe('base/backend/Dockerfile');
    expect(input.dockerfiles['admin']?.file).toBe('apps/admin/Dockerfile');
    expect(input.dockerfiles['admin']?.resource.dockerignore).toEqual({ exists: true, patterns: ['.git'] });
    expect(input.dockerfiles['missing']).toBeNull();
    expect(input.dockerfiles['remote']).toBeNull();
    expect(input.paths).toEqual({
      '.env': true,
      'missing.env': false,
      './nginx.env': false,
      './nginx/nginx.conf': true,
      './nginx/ssl': false,
      './scripts/init-db.sql': false,
    });
  });

  it('builds the seed compose input', async () => {
    const abs = path.join(seed, 'docker-compose.yml');
    const { readFile } = await import('node:fs/promises');
    const doc: unknown = YAML.parse(await readFile(abs, 'utf8'));
    const input = await buildComposeInput(doc, abs, 'tools/test/fixtures/seed/docker-compose.yml', repoRoot);
    expect(input.dockerfiles['backend']?.file).toBe('tools/test/fixtures/seed/backend/Dockerfile');
    expect(input.dockerfiles['admin-dashboard']?.resource.stages.map((s) => s.name)).toEqual(['build', 'production']);
    expect(input.paths).toEqual({
      './backend': true,
      './admin-dashboard': true,
      './scripts/init-db.sql': false,
      './nginx/nginx.conf': false,
      './nginx/ssl': false,
    });
  });

  it('tolerates documents that are not compose files', async () => {
    for (const doc of [null, 'text', [], { services: null }, { services: { a: 'x', b: { build: 42, volumes: 'x' } } }]) {
      const input = await buildComposeInput(doc, path.join(tmp, 'compose.yaml'), 'compose.yaml', tmp);
      expect(input.paths).toEqual({});
    }
  });
});

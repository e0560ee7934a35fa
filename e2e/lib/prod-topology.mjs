// The production topology for the end-to-end suite, as Compose runs it but
// natively (Docker cannot run on these machines): every service its own
// process (the `onetip-*` binaries), each data-owning service its own fresh
// PostgreSQL database, events over NATS JetStream on a stream of this run's
// own, the sandbox Todoist, and Caddy in front with the repository's root
// Caddyfile, serving HTTPS for PUBLIC_HOST with its internal CA.
//
// playwright.config.ts starts it (ONETIP_E2E_TOPOLOGY=production) and hands
// every address down through the environment; it stays up until SIGTERM or
// SIGINT, then stops every process and drops its databases and streams. If
// any process exits on its own, everything is stopped and it exits 1 with
// the tails of the logs.
//
// Environment (all set by playwright.config.ts):
//   ONETIP_BIN_DIR          the debug build's directory (onetip-*, todoist-fake)
//   ONETIP_E2E_DATA_DIR     DATA_DIR shared by the services (dev key rings)
//   ONETIP_E2E_LOG_DIR      where each process's log goes
//   PUBLIC_HOST, PUBLIC_URL Caddy's site address (localhost:<port>) and URL
//   CADDY_HTTP_PORT         Caddy's plain-HTTP (redirect) port
//   GATEWAY_ADDR … WEB_ADDR, TODOIST_SANDBOX_ADDR   each process's address
//   GOOGLE_*                the OpenID provider standing in for Google
//   ONETIP_E2E_POSTGRES     the PostgreSQL server to make the databases on
//                           (default ONETIP_TEST_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/postgres)
//   NATS_URL                default nats://127.0.0.1:4222
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const env = process.env;
const need = (name) => {
  const value = env[name];
  if (!value) throw new Error(`prod-topology: ${name} is not set`);
  return value;
};

const SERVICES = ['auth', 'profile', 'integrations', 'recommender', 'web', 'gateway'];
const WITH_DATABASE = ['auth', 'profile', 'integrations', 'recommender'];
const binDir = need('ONETIP_BIN_DIR');
const dataDir = need('ONETIP_E2E_DATA_DIR');
const logDir = need('ONETIP_E2E_LOG_DIR');
const postgresAdmin =
  env.ONETIP_E2E_POSTGRES ?? env.ONETIP_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const natsUrl = env.NATS_URL ?? 'nats://127.0.0.1:4222';

// Names of this run's own: databases, stream, subjects.
const tag = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const databases = Object.fromEntries(WITH_DATABASE.map((s) => [s, `onetip_e2e_${tag}_${s}`]));
const nats = {
  EVENT_BUS: 'nats',
  NATS_URL: natsUrl,
  NATS_STREAM: `ONETIP_E2E_${tag.toUpperCase()}`,
  NATS_SUBJECT_PREFIX: `e2e${tag}.events`,
  NATS_DEAD_LETTER_SUBJECT: `e2e${tag}.dead`,
  NATS_CONSUMER: `recommender-e2e-${tag}`,
};
const dbUrl = (name) => {
  const url = new URL(postgresAdmin);
  url.pathname = `/${name}`;
  return url.toString();
};
const psql = (sql) =>
  execFileSync('psql', [postgresAdmin, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { stdio: ['ignore', 'pipe', 'pipe'] });

mkdirSync(logDir, { recursive: true });
mkdirSync(dataDir, { recursive: true });
const children = [];
let stopping = false;

function start(name, command, args, childEnv, cwd = repoRoot) {
  const log = join(logDir, `${name}.log`);
  const fd = openSync(log, 'w');
  // Its own process group: a signal to ours (Playwright stops its web
  // servers by group) reaches the launcher only, which stops the rest in order.
  const child = spawn(command, args, { cwd, env: childEnv, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  const entry = { name, child, log, exited: false };
  child.on('exit', (code, signal) => {
    entry.exited = true;
    if (!stopping) {
      process.stderr.write(`prod-topology: ${name} exited on its own (code ${code}, signal ${signal})\n`);
      void stop(1);
    }
  });
  child.on('error', (err) => {
    process.stderr.write(`prod-topology: starting ${name}: ${err.message}\n`);
    void stop(1);
  });
  children.push(entry);
}

/** Sends JetStream API requests (`$JS.API.<subject>`, empty payloads) over a
 *  plain NATS connection; resolves with each parsed answer, or null for one
 *  that did not come within 3 s. */
function jetstream(subjects) {
  return new Promise((done) => {
    const { hostname, port } = new URL(natsUrl);
    const socket = connect(Number(port || 4222), hostname);
    const inbox = `_INBOX.e2e${tag}`;
    const answers = subjects.map(() => null);
    let buffer = '';
    let sent = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      done(answers);
    };
    const timer = setTimeout(finish, 3_000);
    socket.on('error', finish);
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      if (!sent && buffer.includes('INFO ')) {
        sent = true;
        let out = `CONNECT {"verbose":false,"pedantic":false}\r\nSUB ${inbox}.* 1\r\n`;
        subjects.forEach((subject, i) => (out += `PUB $JS.API.${subject} ${inbox}.${i} 0\r\n\r\n`));
        socket.write(out);
      }
      // MSG <subject> <sid> <bytes>\r\n<payload>\r\n
      for (const m of buffer.matchAll(/^MSG \S+\.(\d+) \d+ (\d+)\r\n/gm)) {
        const payload = buffer.slice(m.index + m[0].length, m.index + m[0].length + Number(m[2]));
        if (payload.length === Number(m[2])) answers[Number(m[1])] = JSON.parse(payload);
      }
      if (answers.every((a) => a !== null)) finish();
    });
  });
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (!c.exited) c.child.kill('SIGTERM');
  const deadline = Date.now() + 8_000;
  while (children.some((c) => !c.exited) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const c of children) if (!c.exited) c.child.kill('SIGKILL');
  if (code !== 0) {
    for (const c of children) {
      const tail = readFileSync(c.log, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
      process.stderr.write(`--- ${c.name} (${c.log})\n${tail}\n`);
    }
  }
  for (const name of Object.values(databases)) {
    try {
      psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } catch (err) {
      process.stderr.write(`prod-topology: dropping ${name}: ${err.stderr ?? err}\n`);
    }
  }
  // What went over the bus, then the run's streams are gone.
  const stream = nats.NATS_STREAM;
  const [info, dead] = await jetstream([`STREAM.INFO.${stream}`, `STREAM.INFO.${stream}_DEAD`]);
  process.stderr.write(
    `prod-topology: NATS stream ${stream} carried ${info?.state?.messages ?? '?'} events, ` +
      `${dead?.state?.messages ?? 0} dead-lettered\n`,
  );
  await jetstream([`STREAM.DELETE.${stream}`, `STREAM.DELETE.${stream}_DEAD`]);
  process.exit(code);
}
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => void stop(0));

try {
  for (const name of Object.values(databases)) psql(`CREATE DATABASE "${name}"`);
} catch (err) {
  process.stderr.write(`prod-topology: creating the databases: ${err.stderr ?? err}\n`);
  await stop(1);
}

// What every service shares, as in the one process: development settings
// (the sandbox Todoist, the provider over plain http on loopback), the public URL through Caddy,
// where every other service is, and the bus.
const internalUrls = Object.fromEntries(
  SERVICES.map((s) => [`${s.toUpperCase()}_URL`, `http://${need(`${s.toUpperCase()}_ADDR`)}`]),
);
const common = {
  PATH: env.PATH,
  APP_ENV: 'development',
  PUBLIC_URL: need('PUBLIC_URL'),
  DATA_DIR: dataDir,
  LOG_FORMAT: 'json',
  RUST_LOG: env.RUST_LOG ?? 'info',
  INTERNAL_API_TOKEN: randomBytes(32).toString('base64url'),
  TODOIST_SANDBOX_ADDR: need('TODOIST_SANDBOX_ADDR'),
  // auth signs in with it; web offers "Sign in with Google" only when it is set.
  GOOGLE_ISSUER_URL: need('GOOGLE_ISSUER_URL'),
  GOOGLE_CLIENT_ID: need('GOOGLE_CLIENT_ID'),
  GOOGLE_CLIENT_SECRET: need('GOOGLE_CLIENT_SECRET'),
  ...internalUrls,
  ...nats,
};

start('todoist-sandbox', join(binDir, 'todoist-fake'), [], {
  PATH: env.PATH,
  TODOIST_SANDBOX_ADDR: common.TODOIST_SANDBOX_ADDR,
});
for (const service of SERVICES) {
  const own = { [`${service.toUpperCase()}_ADDR`]: need(`${service.toUpperCase()}_ADDR`) };
  if (databases[service]) own.DATABASE_URL = dbUrl(databases[service]);
  // The gateway reports the PostgreSQL server's health: it checks one of the databases.
  if (service === 'gateway') own.DATABASE_URL = dbUrl(databases.profile);
  start(service, join(binDir, `onetip-${service}`), [], { ...common, ...own });
}

// Caddy with the repository's Caddyfile, imported verbatim, behind global
// options that only keep a test run to itself: no admin endpoint, its
// plain-HTTP port in our range instead of 80, loopback only, and the local
// CA's root never installed into the machine's trust store (the browser
// ignores certificate errors instead).
const caddyDir = join(dataDir, 'caddy');
mkdirSync(caddyDir, { recursive: true });
const caddyfile = join(caddyDir, 'Caddyfile');
writeFileSync(
  caddyfile,
  [
    '{',
    '\tadmin off',
    `\thttp_port ${need('CADDY_HTTP_PORT')}`,
    '\tdefault_bind 127.0.0.1',
    '\tskip_install_trust',
    '}',
    `import ${join(repoRoot, 'Caddyfile')}`,
    '',
  ].join('\n'),
);
start('caddy', 'caddy', ['run', '--config', caddyfile, '--adapter', 'caddyfile'], {
  PATH: env.PATH,
  HOME: caddyDir,
  XDG_CONFIG_HOME: join(caddyDir, 'config'),
  XDG_DATA_HOME: join(caddyDir, 'data'),
  PUBLIC_HOST: need('PUBLIC_HOST'),
  GATEWAY_UPSTREAM: need('GATEWAY_ADDR'),
  // The connect form's redirect chain ends on the sandbox's consent page.
  TODOIST_AUTH_ORIGIN: `http://${common.TODOIST_SANDBOX_ADDR}`,
});

process.stdout.write(
  `prod-topology: ${children.length} processes, databases ${Object.values(databases).join(', ')}, ` +
    `stream ${nats.NATS_STREAM}, logs in ${logDir}\n`,
);

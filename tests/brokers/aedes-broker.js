// aedes-broker.js - the brokers tests' aedes: an MQTT broker over TLS that
// logs clients in with a user name and password, for tests/brokers/run.sh.
//
// Usage: node aedes-broker.js PORT CERTFILE KEYFILE USERSFILE
//   USERSFILE: one "user password" a line. The passwords come from a file,
//   never from the command line, where any local user could read them.
// Prints "aedes VERSION listening on 127.0.0.1:PORT" once it accepts
// connections; exits on SIGTERM. Retained messages live in memory only, so
// a restart forgets them, as a Mosquitto without persistence does.
'use strict';

const fs = require('fs');
const tls = require('tls');
const crypto = require('crypto');
const aedesFactory = require('aedes');

const [port, certFile, keyFile, usersFile] = process.argv.slice(2);
if (!usersFile) {
  console.error('usage: aedes-broker.js PORT CERTFILE KEYFILE USERSFILE');
  process.exit(2);
}

const users = new Map();
for (const line of fs.readFileSync(usersFile, 'utf8').split('\n')) {
  const sp = line.indexOf(' ');
  if (sp > 0) users.set(line.slice(0, sp), Buffer.from(line.slice(sp + 1)));
}

// Compared in constant time, as a real broker should.
function passwordMatches(user, given) {
  const want = users.get(user);
  if (!want || !given || given.length !== want.length) return false;
  return crypto.timingSafeEqual(want, given);
}

const broker = aedesFactory();
broker.authenticate = (client, username, password, done) => {
  if (passwordMatches(username, password)) {
    client.sesameUser = username;
    return done(null, true);
  }
  console.log(`refused ${client.id}: bad user name or password`);
  const err = new Error('bad user name or password');
  err.returnCode = 4;
  return done(err, false);
};
broker.on('client', (c) => console.log(`client ${c.id} connected as ${c.sesameUser}`));
broker.on('clientDisconnect', (c) => console.log(`client ${c.id} disconnected`));

const server = tls.createServer({
  cert: fs.readFileSync(certFile),
  key: fs.readFileSync(keyFile),
  minVersion: 'TLSv1.2',
}, broker.handle);

server.listen(Number(port), '127.0.0.1', () => {
  const version = require('aedes/package.json').version;
  console.log(`aedes ${version} listening on 127.0.0.1:${port}`);
});

process.on('SIGTERM', () => {
  server.close();
  broker.close(() => process.exit(0));
  // Connections still open do not hold the exit up.
  setTimeout(() => process.exit(0), 500).unref();
});

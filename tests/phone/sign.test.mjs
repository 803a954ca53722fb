// SPDX-License-Identifier: GPL-2.0
// sign.test.mjs - the page's signing code (phone/www/sign.js, Web Crypto
// in Node) against sesame-sign's output for the same inputs, and the
// enrolment link that sesame-certs enroll prints, read as the page reads
// it. Run by tests/phone/phone.mk:  node --test tests/phone/sign.test.mjs
//
// Environment: SIGN (sesame-sign), CERTS (scripts/sesame-certs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, chmodSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { webcrypto } from "node:crypto";
import { importKey, parseEnrolment, signCommand, newNonce, hexToBytes, bytesToHex } from "../../phone/www/sign.js";

const SIGN = process.env.SIGN || "build/bridge/sesame-sign";
const CERTS = process.env.CERTS || "scripts/sesame-certs";
const dir = mkdtempSync(join(tmpdir(), "sesame-sign-js-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function keyFile(hex) {
  const f = join(dir, `k${Math.random().toString(16).slice(2)}`);
  writeFileSync(f, `${hex}\n`);
  chmodSync(f, 0o600);
  return f;
}

// sesame-sign's line for the same inputs, without its newline.
function cSign(keyHex, { topic, command, time, nonce, name }) {
  return execFileSync(SIGN, ["-k", keyFile(keyHex), "-t", topic, "-n", name, "-T", String(time),
    "-N", nonce, command], { encoding: "utf8" }).trimEnd();
}

const CASES = [
  { key: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", topic: "sesame/door/set",
    command: "open", time: 1700000000, nonce: "00112233445566778899aabbccddeeff", name: "alice" },
  { key: "ff".repeat(64), topic: "sesame/frontdoor/set", command: "close", time: 1, nonce: "0123456789abcdef",
    name: "B" },
  { key: "5a".repeat(128), topic: "home/a b/set", command: "UNLOCK", time: 9999999999,
    nonce: "ABCDEF".repeat(10) + "0123", name: "a-_9".repeat(8) },
];

test("the page's payload is sesame-sign's, byte for byte", async () => {
  for (const c of CASES) {
    const key = await importKey(c.key);
    assert.equal(await signCommand(key, c), cSign(c.key, c));
  }
});

test("the known answer of the bridge's unit test", async () => {
  const c = CASES[0];
  assert.equal(await signCommand(await importKey(c.key), c),
    "open 1700000000 00112233445566778899aabbccddeeff alice " +
    "b921c9041d020e55181d29a86320bc9343b236b97ddc497756aad2fa66155813");
});

test("random inputs agree with sesame-sign", async () => {
  for (let i = 0; i < 20; i++) {
    const keyHex = bytesToHex(webcrypto.getRandomValues(new Uint8Array(32 + (i * 5) % 97)));
    const c = { topic: `sesame/door${i}/set`, command: i % 2 ? "open" : "close",
      time: 1700000000 + i * 7919, nonce: newNonce(), name: `phone${i}` };
    assert.equal(await signCommand(await importKey(keyHex), c), cSign(keyHex, c));
  }
});

test("fractional times are signed as whole seconds, as the bridge reads them", async () => {
  const c = { ...CASES[0], time: 1700000000.987 };
  assert.equal(await signCommand(await importKey(CASES[0].key), c), cSign(CASES[0].key, CASES[0]));
});

test("the key cannot be read back out of the page", async () => {
  const key = await importKey(CASES[0].key);
  assert.equal(key.extractable, false);
  assert.deepEqual(key.usages, ["sign"]);
  await assert.rejects(webcrypto.subtle.exportKey("raw", key));
});

test("bad inputs are refused, not signed", async () => {
  await assert.rejects(importKey("00".repeat(31)), /32 to 128/);
  await assert.rejects(importKey("zz".repeat(32)), /not hex/);
  const key = await importKey(CASES[0].key);
  for (const bad of [{ name: "a/b" }, { name: "" }, { name: "x".repeat(33) }, { nonce: "0123" },
    { command: "open now" }]) {
    await assert.rejects(signCommand(key, { ...CASES[0], ...bad }));
  }
  assert.throws(() => hexToBytes("abc"));
});

test("the link sesame-certs enroll prints gives the page exactly its key and login", () => {
  const pki = join(dir, "pki");
  execFileSync(CERTS, ["-d", pki, "enroll", "alice", "sesame/front_door-1", "https://door.example/p/",
    "wss://broker.example:8884/mqtt?x=1&y=2"], { encoding: "utf8" });
  const link = readFileSync(join(pki, "openers", "alice.link"), "utf8").trim();
  assert.ok(link.startsWith("https://door.example/p/#"));
  const e = parseEnrolment(link.slice(link.indexOf("#")));
  assert.equal(e.url, "wss://broker.example:8884/mqtt?x=1&y=2");
  assert.equal(e.topic, "sesame/front_door-1");
  assert.equal(e.name, "alice");
  assert.equal(e.user, "alice");
  assert.equal(e.key, readFileSync(join(pki, "openers", "alice"), "utf8").trim());
  assert.match(e.pass, /^[0-9a-f]{32}$/);
  const passwd = readFileSync(join(pki, "mosquitto", "sesame.passwd"), "utf8");
  assert.match(passwd, /^alice:\$7\$/);
  assert.ok(!passwd.includes(e.pass), "the broker gets a hash, not the password");
});

test("a link without a key, or with a bad one, is refused", () => {
  assert.throws(() => parseEnrolment("#url=wss://b/&topic=t&name=a"), /key/);
  assert.throws(() => parseEnrolment(`#url=https://b/&topic=t&name=a&key=${"00".repeat(32)}`), /wss/);
  assert.throws(() => parseEnrolment(`#url=wss://b/&topic=t/%23&name=a&key=${"00".repeat(32)}`), /topic/);
  assert.throws(() => parseEnrolment(`#url=wss://b/&topic=t&name=a/b&key=${"00".repeat(32)}`), /name/);
});

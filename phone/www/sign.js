// SPDX-License-Identifier: GPL-2.0
// sign.js - the signed command, as sesame-sign(1) makes it, with Web Crypto.
//
//   COMMAND UNIXTIME NONCE NAME MAC
//
// MAC: lower-case hex HMAC-SHA256 over "TOPIC|COMMAND|UNIXTIME|NONCE|NAME",
// keyed with the opener's key (the bytes its key file's hex encodes). The
// key is imported non-extractable: the page can sign with it, and no
// script, this one included, can read it back. Pure: no DOM, no storage,
// so that Node's test runner checks it against sesame-sign's output.

const NAME = /^[A-Za-z0-9_-]{1,32}$/;

export function hexToBytes(hex) {
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new Error("not hex");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
  return out;
}

export function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function validName(name) {
  return typeof name === "string" && NAME.test(name);
}

// The key of an enrolment link (hex, 32 to 128 bytes, as the bridge
// takes), as a CryptoKey that can sign and never be exported.
export async function importKey(hex, subtle = globalThis.crypto.subtle) {
  const raw = hexToBytes(hex);
  if (raw.length < 32 || raw.length > 128) throw new Error("a key has 32 to 128 bytes");
  try {
    return await subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  } finally {
    raw.fill(0);
  }
}

// 16 random bytes in hex, as sesame-sign draws them.
export function newNonce(crypto = globalThis.crypto) {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(16)));
}

// The payload for COMMAND on TOPIC (the command topic, B/set), signed by
// opener NAME at unix time TIME (seconds) with NONCE.
export async function signCommand(key, { topic, command, time, nonce, name },
                                  subtle = globalThis.crypto.subtle) {
  if (!validName(name)) throw new Error("an opener's name is 1 to 32 of A-Z a-z 0-9 _ -");
  if (!/^[0-9a-fA-F]{16,64}$/.test(nonce)) throw new Error("a nonce is 16 to 64 hex digits");
  if (!/^[!-~]{1,16}$/.test(command)) throw new Error("a command is one printable word");
  const t = String(Math.floor(time));
  const msg = new TextEncoder().encode(`${topic}|${command}|${t}|${nonce}|${name}`);
  const mac = new Uint8Array(await subtle.sign("HMAC", key, msg));
  return `${command} ${t} ${nonce} ${name} ${bytesToHex(mac)}`;
}

// What the page reads from an enrolment link's fragment (never sent to a
// server): the broker's wss URL, the door's base topic, the opener's name
// and key, and the broker login. Throws on anything missing or malformed.
export function parseEnrolment(fragment) {
  const p = new URLSearchParams(fragment.replace(/^#/, ""));
  const e = {
    url: p.get("url") || "",
    topic: p.get("topic") || "",
    name: p.get("name") || "",
    key: p.get("key") || "",
    user: p.get("user") || "",
    pass: p.get("pass") || "",
  };
  if (!/^wss:\/\/[^\s]+$/.test(e.url)) throw new Error("the link has no wss:// broker URL");
  if (!/^[^+#\s$][^+#\s]*[^/+#\s]$|^[^/+#\s$]$/.test(e.topic) || e.topic.includes("//"))
    throw new Error("the link has no valid base topic");
  if (!validName(e.name)) throw new Error("the link has no valid opener name");
  if (!/^([0-9a-fA-F]{2}){32,128}$/.test(e.key)) throw new Error("the link has no valid key");
  return e;
}

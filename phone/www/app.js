// SPDX-License-Identifier: GPL-2.0
// app.js - the phone page: enrol from the link's fragment, keep the key in
// IndexedDB (non-extractable), connect to the broker over wss, show the
// door's state and availability, sign and publish Open and Close (QoS 1,
// never retained), and show the bridge's answer and the clock offset.
import { importKey, newNonce, parseEnrolment, signCommand } from "./sign.js";

const $ = (id) => document.getElementById(id);
const DB = "sesame", STORE = "opener";
const ANSWER_WAIT_MS = 8000;

// ---- storage: one record, the enrolment, with the CryptoKey itself ----
function db() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function store(op, ...args) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const tx = d.transaction(STORE, op === "get" ? "readonly" : "readwrite");
    const req = tx.objectStore(STORE)[op](...args);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// An enrolment link: import the key, store it, and take the fragment out
// of the address bar and the history (it held the key).
async function enrolFromFragment() {
  if (!location.hash || location.hash.length < 2) return null;
  const fragment = location.hash;
  history.replaceState(null, "", location.pathname + location.search);
  const e = parseEnrolment(fragment);
  const key = await importKey(e.key);
  const rec = { url: e.url, topic: e.topic, name: e.name, user: e.user, pass: e.pass, key };
  await store("put", rec, "me");
  return rec;
}

// ---- the page ----
let me = null, client = null, pending = null, offsetS = null;

function setText(id, text, attr, value) {
  const el = $(id);
  el.textContent = text;
  if (attr) el.dataset[attr] = value;
}

function showAnswer(kind, text) {
  setText("answer", text, "kind", kind);
}

function showOffset(eventTime, receivedMs) {
  // The event's time is the bridge's clock when it judged the command,
  // to the second; a loopback or LAN trip adds well under that.
  offsetS = Math.round(receivedMs / 1000 - eventTime);
  const el = $("clock");
  if (Math.abs(offsetS) <= 1) {
    el.textContent = "clock: this phone agrees with the door (within 1 s)";
  } else {
    el.textContent = `clock: this phone is ${Math.abs(offsetS)} s ${offsetS > 0 ? "ahead of" : "behind"} the door`;
  }
  el.dataset.off = String(Math.abs(offsetS) > 10);
}

const REFUSALS = {
  "stale": "the command's time is too far from the door's clock",
  "replay": "this exact command was used before (a replay)",
  "older": "the command is older than the door's replay memory allows",
  "unknown opener": "this phone's key is not on the door (revoked?)",
  "bad signature": "the signature does not match this phone's key",
  "rate limited": "too many opens in a short time",
  "clock not synchronised": "the door's clock is not synchronised yet",
  "retained": "sent with the retain flag",
  "state error": "the door could not save its replay memory",
  "device error": "the door's servo is not answering",
  "malformed": "the door did not understand the command",
};

function onEvent(ev, receivedMs) {
  if (typeof ev.time === "number") showOffset(ev.time, receivedMs);
  if (ev.opener !== me.name) return;
  if (pending) {
    clearTimeout(pending.timer);
    pending = null;
  }
  if (ev.accepted) {
    showAnswer("ok", `accepted: ${ev.command}`);
  } else {
    let text = `refused: ${ev.reason}: ${REFUSALS[ev.reason] || ""}${ev.detail ? ` (${ev.detail})` : ""}`;
    if (ev.reason === "stale" && offsetS !== null && Math.abs(offsetS) > 1)
      text += `. This phone's clock is ${Math.abs(offsetS)} s ${offsetS > 0 ? "ahead" : "behind"}: set it to automatic time.`;
    showAnswer("bad", text);
  }
}

function onMessage(topic, payload) {
  const text = new TextDecoder().decode(payload);
  const base = me.topic;
  if (topic === `${base}/state`) {
    setText("state-text", text === "open" ? "open" : "closed");
    $("state").dataset.state = text === "open" ? "open" : "closed";
  } else if (topic === `${base}/availability`) {
    const online = text === "online";
    setText("avail", online ? "bridge: online" : "bridge: offline", "avail", online ? "online" : "offline");
  } else if (topic === `${base}/event`) {
    try {
      onEvent(JSON.parse(text), Date.now());
    } catch (e) {
      /* not an event of ours */
    }
  }
}

function buttons(enabled) {
  $("open").disabled = !enabled;
  $("close").disabled = !enabled;
}

function connect() {
  setText("link", "connecting", "state", "connecting");
  client = window.mqtt.connect(me.url, {
    username: me.user || undefined,
    password: me.pass || undefined,
    clientId: `sesame-phone-${me.name}-${newNonce().slice(0, 8)}`,
    protocolVersion: 5,
    clean: true,
    reconnectPeriod: 3000,
    connectTimeout: 10000,
  });
  client.on("connect", () => {
    setText("link", "connected", "state", "connected");
    client.subscribe([`${me.topic}/state`, `${me.topic}/availability`, `${me.topic}/event`], { qos: 0 });
    buttons(true);
  });
  client.on("close", () => {
    setText("link", navigator.onLine ? "broker unreachable" : "offline", "state", "offline");
    buttons(false);
  });
  client.on("error", (err) => {
    setText("link", `broker: ${err.message}`, "state", "error");
  });
  client.on("message", (topic, payload) => onMessage(topic, payload));
}

async function press(command) {
  if (!client || !client.connected) return;
  buttons(false);
  try {
    const payload = await signCommand(me.key, {
      topic: `${me.topic}/set`, command, time: Date.now() / 1000, nonce: newNonce(), name: me.name,
    });
    showAnswer("wait", `sent: ${command}, waiting for the door`);
    pending = {
      timer: setTimeout(() => {
        pending = null;
        showAnswer("bad", "no answer from the door (is its bridge online?)");
      }, ANSWER_WAIT_MS),
    };
    client.publish(`${me.topic}/set`, payload, { qos: 1, retain: false });
  } catch (e) {
    showAnswer("bad", `cannot sign: ${e.message}`);
  } finally {
    setTimeout(() => buttons(client.connected), 600);
  }
}

async function main() {
  if ("serviceWorker" in navigator)
    navigator.serviceWorker.register("sw.js").catch(() => { /* works without */ });
  try {
    me = (await enrolFromFragment()) || (await store("get", "me"));
  } catch (e) {
    $("enrol").hidden = false;
    $("enrol").textContent = `This enrolment link cannot be used: ${e.message}.`;
    return;
  }
  if (!me) {
    $("enrol").hidden = false;
    return;
  }
  document.title = `sesame: ${me.topic}`;
  setText("door", me.topic);
  setText("who", `this phone: ${me.name}`);
  $("door-panel").hidden = false;
  $("open").addEventListener("click", () => press("open"));
  $("close").addEventListener("click", () => press("close"));
  if (!window.mqtt) {
    setText("link", "cannot load the MQTT library", "state", "error");
    return;
  }
  connect();
}

main();

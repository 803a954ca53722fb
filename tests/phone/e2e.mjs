// SPDX-License-Identifier: GPL-2.0
// e2e.mjs - the phone page in a real browser (Debian's chromium, headless,
// driven by playwright-core) against the real broker (mosquitto with a
// TLS WebSockets listener), the real sesame-bridge and the /dev/sesame
// stand-in, all set up by run.sh, which passes everything in the
// environment. Each case names what a person would check; each state of
// the page is a screenshot in $OUT.
//
// Prints TAP-like "ok N - ..." lines and "N passed, N failed".
import { chromium } from "playwright-core";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";

const env = process.env;
const OUT = env.OUT;
const TOPIC = env.TOPIC;                 // the door's base topic
const DEVICE_LOG = env.DEVICE_LOG;       // one line per command: "<mono ns> <cmd>"
const TIMEOUT = 15000 * Number(env.SLOW || 1);
let passed = 0, failed = 0, caseNo = 0;
const results = [];

function say(s) {
  console.log(`phone: ${s}`);
}

async function step(name, fn) {
  caseNo++;
  try {
    await fn();
    passed++;
    say(`ok ${caseNo} - ${name}`);
  } catch (e) {
    failed++;
    say(`not ok ${caseNo} - ${name}`);
    say(`  FAIL: ${e.message.split("\n").slice(0, 6).join("\n        ")}`);
  }
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

function deviceLines() {
  return readFileSync(DEVICE_LOG, "utf8").split("\n").filter(Boolean);
}

async function waitFor(fn, what, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const shots = [];
async function shot(page, name, caption, { ready = true } = {}) {
  const file = join(OUT, `${name}.png`);
  // As a person sees it a moment later: the buttons back after a press.
  if (ready) await page.locator("#open:enabled").waitFor({ timeout: 3000 }).catch(() => {});
  await page.screenshot({ path: file });
  shots.push(`${name}.png: ${caption}`);
}

// A browser context is one phone: its own storage, its own clock.
async function phone(browser, { clockOffsetS = 0 } = {}) {
  const ctx = await browser.newContext({
    viewport: { width: 390, height: 780 }, deviceScaleFactor: 1, serviceWorkers: "allow",
  });
  if (clockOffsetS) {
    // This phone's clock runs OFFSET s ahead: Date and Date.now, as a
    // phone with a wrong time setting would have them.
    await ctx.addInitScript((off) => {
      const Real = Date, shift = off * 1000;
      class Skewed extends Real {
        constructor(...a) { super(...(a.length ? a : [Real.now() + shift])); }
        static now() { return Real.now() + shift; }
      }
      globalThis.Date = Skewed;
    }, clockOffsetS);
  }
  return ctx;
}

// Opens the enrolment link in a new page of CTX; ON_BYTES, if given, is
// told the size of every response of that page (headers included).
async function enrol(ctx, linkFile, onBytes) {
  const page = await ctx.newPage();
  page.on("pageerror", (e) => say(`  page error: ${e.message}`));
  if (onBytes) {
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Network.enable");
    cdp.on("Network.loadingFinished", (e) => onBytes(e.encodedDataLength));
  }
  const link = readFileSync(linkFile, "utf8").trim();
  await page.goto(link);
  await page.locator("#link[data-state='connected']").waitFor({ timeout: TIMEOUT });
  return page;
}

const answer = (page) => page.locator("#answer").textContent();

// The bridge's state for TOPIC reaches the page; wait for it to say STATE.
async function stateIs(page, state) {
  await page.locator(`#state[data-state='${state}']`).waitFor({ timeout: TIMEOUT });
}

async function main() {
  const browser = await chromium.launch({
    executablePath: env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    env: { ...process.env, HOME: env.BROWSER_HOME },
  });
  let alice, aliceCtx, bytes = 0;

  await step("enrol through the link: the key is stored, the fragment leaves the address bar, the page connects and shows the door closed and the bridge online", async () => {
    aliceCtx = await phone(browser);
    // What the first load costs: bytes on the wire, every response.
    alice = await enrol(aliceCtx, env.LINK_ALICE, (n) => { bytes += n; });
    check(!alice.url().includes("#"), `the address still has the fragment: ${alice.url()}`);
    await stateIs(alice, "closed");
    await alice.locator("#avail[data-avail='online']").waitFor({ timeout: TIMEOUT });
    check((await alice.textContent("#who")).includes("alice"), "the page does not say alice");
    // No history entry keeps the link: back is the blank tab, forward the
    // page without its fragment.
    await alice.goBack();
    check(alice.url() === "about:blank", `back leads to ${alice.url()}`);
    await alice.goForward();
    check(!alice.url().includes("#") && !alice.url().includes("key="), `forward leads to ${alice.url()}`);
    await alice.locator("#link[data-state='connected']").waitFor({ timeout: TIMEOUT });
    await stateIs(alice, "closed");
    // In IndexedDB: a CryptoKey that cannot be exported.
    const k = await alice.evaluate(() => new Promise((res) => {
      const r = indexedDB.open("sesame");
      r.onsuccess = () => {
        const g = r.result.transaction("opener").objectStore("opener").get("me");
        g.onsuccess = async () => {
          const key = g.result.key;
          let exported = true;
          try { await crypto.subtle.exportKey("raw", key); } catch { exported = false; }
          res({ type: key.type, extractable: key.extractable, exported });
        };
      };
    }));
    check(k.type === "secret" && !k.extractable && !k.exported, `the stored key: ${JSON.stringify(k)}`);
    await shot(alice, "1-enrolled", "enrolled and connected: the door closed, the bridge online");
  });

  // An eavesdropper with read access to the command topic (the test's own
  // certificate) records every frame the phones publish.
  const frames = [];
  const spy = mqtt.connect(`mqtts://127.0.0.1:${env.P_CERT}`, {
    ca: readFileSync(env.CA), cert: readFileSync(env.TESTER_CRT), key: readFileSync(env.TESTER_KEY),
    protocolVersion: 5, clean: true, clientId: `spy-${process.pid}`,
  });
  await new Promise((res, rej) => { spy.on("connect", res); spy.on("error", rej); });
  await new Promise((res) => spy.subscribe(`${TOPIC}/set`, { qos: 1 }, res));
  spy.on("message", (t, p, packet) => frames.push({ payload: p.toString(), retain: packet.retain, qos: packet.qos }));

  let latencies = [];
  await step("Open: exactly one open reaches the device; the page shows accepted, open, then closed", async () => {
    const before = deviceLines().length;
    const t0 = process.hrtime.bigint();   // CLOCK_MONOTONIC, as fake-sesame -t stamps
    await alice.click("#open");
    await waitFor(() => deviceLines().length > before, "the open at the device");
    const line = deviceLines()[before];
    latencies.push(Number(BigInt(line.split(" ")[0]) - t0) / 1e6);
    await waitFor(async () => (await answer(alice)).startsWith("accepted: open"), "the page's 'accepted'");
    await stateIs(alice, "open");
    await shot(alice, "2-open", "the press was accepted: the door is open");
    // The driver closes by itself after hold_ms: the stand-in is told to.
    writeFileSync(env.DEVICE_CTL, "expire\n");
    await stateIs(alice, "closed");
    await shot(alice, "3-closed", "closed again by itself after the hold time");
    const after = deviceLines().slice(before);
    check(after.length === 1 && after[0].endsWith(" open"), `the device got ${JSON.stringify(after)}`);
    check(frames.length === 1, `${frames.length} frames on the command topic`);
    check(frames[0].qos === 1 && frames[0].retain === false, `published as ${JSON.stringify(frames[0])}`);
    check(/^open \d+ [0-9a-f]{32} alice [0-9a-f]{64}$/.test(frames[0].payload), `payload ${frames[0].payload}`);
  });

  await step("a frame captured from the broker and published again is refused as a replay, and the page says so; nothing reaches the device", async () => {
    const before = deviceLines().length;
    const captured = frames[0].payload;
    await new Promise((res) => spy.publish(`${TOPIC}/set`, captured, { qos: 1 }, res));
    await waitFor(async () => (await answer(alice)).includes("refused: replay"), "the page's 'replay'");
    await shot(alice, "4-replay", "a captured frame replayed by someone else: refused as a replay");
    await new Promise((r) => setTimeout(r, 300));
    check(deviceLines().length === before, `the device got ${JSON.stringify(deviceLines().slice(before))}`);
  });

  await step("a second phone's key revoked (its file removed) while the bridge runs: its press is refused and the page says so; the first phone still opens", async () => {
    const bobCtx = await phone(browser);
    const bob = await enrol(bobCtx, env.LINK_BOB);
    const before = deviceLines().length;
    await bob.click("#close");
    await waitFor(async () => (await answer(bob)).startsWith("accepted: close"), "bob's close accepted");
    rmSync(env.BOB_KEY);
    await bob.waitForTimeout(700);   // the buttons come back after a press
    await bob.click("#open");
    await waitFor(async () => (await answer(bob)).includes("refused: unknown opener"), "bob's refusal");
    check((await answer(bob)).includes("revoked"), `bob's page says: ${await answer(bob)}`);
    await shot(bob, "5-revoked", "the second phone after its key file was removed: refused, revoked");
    const t0 = process.hrtime.bigint();
    await alice.click("#open");
    await waitFor(() => deviceLines().length > before + 1, "alice's open at the device");
    latencies.push(Number(BigInt(deviceLines()[before + 1].split(" ")[0]) - t0) / 1e6);
    const got = deviceLines().slice(before).map((l) => l.split(" ")[1]);
    check(JSON.stringify(got) === '["close","open"]', `the device got ${JSON.stringify(got)}`);
    writeFileSync(env.DEVICE_CTL, "expire\n");
    await bobCtx.close();
  });

  await step("a phone whose clock is 60 s ahead: its press is refused as stale, and the page shows the offset", async () => {
    const ctx = await phone(browser, { clockOffsetS: 60 });
    const page = await enrol(ctx, env.LINK_ALICE);
    const before = deviceLines().length;
    await page.click("#open");
    await waitFor(async () => (await answer(page)).includes("refused: stale"), "the page's 'stale'");
    const clock = await page.textContent("#clock");
    check(/this phone is (59|60|61) s ahead of the door/.test(clock), `the clock line says: ${clock}`);
    check((await answer(page)).includes("ahead"), `the answer says: ${await answer(page)}`);
    await shot(page, "6-stale", "a phone 60 s ahead: refused as stale, the offset shown");
    check(deviceLines().length === before, "the device moved");
    await ctx.close();
  });

  await step("from the home screen without a network: the page still opens (service worker) and says the broker is unreachable", async () => {
    await alice.evaluate(() => navigator.serviceWorker.ready);
    await aliceCtx.setOffline(true);
    await alice.reload();
    await alice.locator("#door-panel").waitFor({ timeout: TIMEOUT });
    await alice.locator("#link[data-state='offline'], #link[data-state='error']").waitFor({ timeout: TIMEOUT });
    check(await alice.locator("#open").isDisabled(), "Open is enabled without a broker");
    await shot(alice, "7-offline", "offline: the page opens from the cache; no broker, no Open",
      { ready: false });
    await aliceCtx.setOffline(false);
  });

  await step("presses reach the device quickly on loopback (5 more opens, each accepted once)", async () => {
    await alice.reload();
    await alice.locator("#link[data-state='connected']").waitFor({ timeout: TIMEOUT });
    for (let i = 0; i < 5; i++) {
      const before = deviceLines().length;
      await alice.waitForTimeout(700);
      const t0 = process.hrtime.bigint();
      await alice.click("#open");
      await waitFor(() => deviceLines().length > before, "the open at the device");
      latencies.push(Number(BigInt(deviceLines()[before].split(" ")[0]) - t0) / 1e6);
      writeFileSync(env.DEVICE_CTL, "expire\n");
    }
    const n = deviceLines().filter((l) => l.endsWith(" open")).length;
    check(n === 7, `${n} opens reached the device in all, not 7`);
  });

  await step("a phone's broker login (the ACL sesame-certs enroll wrote) may command its own door and read its topics, nothing else", async () => {
    const p = new URLSearchParams(readFileSync(env.LINK_ALICE, "utf8").trim().split("#")[1]);
    const other = "sesame/other";
    const seen = [], got = [];
    spy.on("message", (t, m) => seen.push(`${t} ${m}`));
    await new Promise((res) => spy.subscribe([`${other}/#`, `${TOPIC}/state`], { qos: 1 }, res));
    const c = mqtt.connect(p.get("url"), { username: p.get("user"), password: p.get("pass"),
      ca: readFileSync(env.CA), protocolVersion: 5, clean: true, clientId: `acl-${process.pid}` });
    await new Promise((res, rej) => { c.on("connect", res); c.on("error", rej); });
    c.on("message", (t, m) => got.push(`${t} ${m}`));
    await new Promise((res) => c.subscribe([`${other}/event`, `${TOPIC}/event`], { qos: 0 }, res));
    await new Promise((res) => c.publish(`${other}/set`, "open", { qos: 1 }, () => res()));
    // Not "open": the bridge's own retained state may be "open" still
    // (the last press's pulse), and the spy would get it on subscribing.
    await new Promise((res) => c.publish(`${TOPIC}/state`, "open (forged by alice)", { qos: 1, retain: true }, () => res()));
    await new Promise((res) => spy.publish(`${other}/event`, "not for alice", { qos: 1 }, res));
    await new Promise((res) => spy.publish(`${TOPIC}/event`, "{\"control\":1}", { qos: 1 }, res));
    await waitFor(() => got.some((g) => g.includes("control")), "alice's own event topic");
    await new Promise((r) => setTimeout(r, 500));
    c.end(true);
    check(!seen.some((x) => x.startsWith(`${other}/set`)), "alice commanded another door");
    check(!seen.some((x) => x === `${TOPIC}/state open (forged by alice)`), "alice wrote her door's state");
    check(!got.some((g) => g.includes("not for alice")), "alice read another door's events");
  });

  spy.end(true);
  await browser.close();
  latencies.sort((a, b) => a - b);
  const med = latencies[Math.floor(latencies.length / 2)];
  results.push(`first load: ${bytes} bytes transferred (every response, headers included)`);
  results.push(`press to device on loopback: median ${med.toFixed(1)} ms, min ${latencies[0].toFixed(1)}, ` +
    `max ${latencies[latencies.length - 1].toFixed(1)} ms over ${latencies.length} presses ` +
    "(from the test's click, through chromium, wss, mosquitto, sesame-bridge, to the write() at the device)");
  for (const r of results) say(`  ${r}`);
  writeFileSync(join(OUT, "results.txt"), results.join("\n") + "\n");
  writeFileSync(join(OUT, "screenshots.txt"), shots.join("\n") + "\n");
  say(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  say(`not ok - the test itself failed: ${e.stack}`);
  say(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});

// SPDX-License-Identifier: GPL-2.0
// serve.mjs - serves build/phone/ over HTTPS on loopback, as any static
// web server would serve the page (with content types: a service worker
// must come as JavaScript). For the browser test only.
//
//   node serve.mjs DIR PORT CERT KEY
import { createServer } from "node:https";
import { readFileSync, statSync } from "node:fs";
import { extname, join, normalize } from "node:path";

const [dir, port, cert, key] = process.argv.slice(2);
const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml", ".png": "image/png", ".md": "text/plain; charset=utf-8",
};

createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
  const path = decodeURIComponent(new URL(req.url, "https://x").pathname);
  const rel = normalize(path === "/" ? "/index.html" : path);
  const file = join(dir, rel);
  if (rel.includes("..") || !file.startsWith(dir)) {
    res.writeHead(404).end();
    return;
  }
  try {
    if (!statSync(file).isFile()) throw new Error("not a file");
    const body = readFileSync(file);
    res.writeHead(200, { "Content-Type": TYPES[extname(file)] || "application/octet-stream",
      "Content-Length": body.length, "Cache-Control": "no-cache" });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
}).listen(Number(port), "127.0.0.1", () => console.log(`serving ${dir} on ${port}`));

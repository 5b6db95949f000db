// SKB1 browser client: WebCrypto only, no build step, no library.
//
// 1. GET public-key: the broker's P-256 key (uncompressed, hex) and domains.
// 2. An ephemeral P-256 key; the request (98 + D bytes, see the protocol doc):
//    "SKB1", 0x01, flags 0, version u16 0 (active), client key (65),
//    client nonce (16), client time ms u64, D, domain (this page's host).
// 3. POST key; the 88-byte answer is opened with ECDH -> HKDF-SHA256 ->
//    AES-256-GCM (AAD = response bytes 0..40); an 8-byte answer is an error.
//
// The page shows the epoch, the expiry (not-after) and a fingerprint of the
// content key: hex of the first 8 bytes of SHA-256(content key). When done it
// sets data-state="done" (or "error") on <main id="broker">.
"use strict";

const STATUS_NAMES = {
  1: "not initialised",
  2: "malformed request",
  3: "invalid client public key",
  4: "domain not allowed",
  5: "client clock skew too large",
  6: "unknown key version",
  7: "output buffer too small",
  8: "internal error",
};

const enc = new TextEncoder();
const $ = (id) => document.getElementById(id);

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(text) {
  if (text.length % 2 !== 0 || /[^0-9a-f]/i.test(text)) throw new Error("bad hex from the broker");
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
  return out;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** The SKB1 key request: exactly 98 + D bytes. */
function buildRequest(clientKey, nonce, timeMs, domain) {
  const name = enc.encode(domain);
  if (name.length < 1 || name.length > 253) throw new Error("domain length out of range");
  const req = new Uint8Array(98 + name.length);
  const view = new DataView(req.buffer);
  req.set(enc.encode("SKB1"), 0);
  req[4] = 0x01; // key request
  req[5] = 0x00; // flags
  view.setUint16(6, 0, true); // version 0 = the broker's active one
  req.set(clientKey, 8); // 65 bytes, 0x04 || X || Y
  req.set(nonce, 73); // 16 bytes
  view.setBigUint64(89, BigInt(timeMs), true);
  req[97] = name.length;
  req.set(name, 98);
  return req;
}

class BrokerError extends Error {}

/** Opens an 88-byte success response; returns its fields and the content key. */
async function openResponse(resp, privateKey, brokerKey, clientNonce, domain) {
  const view = new DataView(resp.buffer, resp.byteOffset, resp.byteLength);
  const magic = new TextDecoder().decode(resp.subarray(0, 4));
  if (magic !== "SKB1") throw new BrokerError("not an SKB1 response");
  if (resp.length === 8 && resp[4] === 0x03) {
    const status = resp[5];
    throw new BrokerError(STATUS_NAMES[status] || `status ${status}`);
  }
  if (resp.length !== 88 || resp[4] !== 0x02 || resp[5] !== 0) {
    throw new BrokerError("unexpected response layout");
  }
  const version = view.getUint16(6, true);
  const serverNonce = resp.subarray(8, 24);
  const epoch = view.getBigUint64(24, true);
  const notAfter = view.getBigUint64(32, true);

  const brokerPublic = await crypto.subtle.importKey(
    "raw", brokerKey, { name: "ECDH", namedCurve: "P-256" }, false, []);
  const z = await crypto.subtle.deriveBits({ name: "ECDH", public: brokerPublic }, privateKey, 256);
  const ikm = await crypto.subtle.importKey("raw", z, "HKDF", false, ["deriveBits"]);
  const okm = new Uint8Array(await crypto.subtle.deriveBits({
    name: "HKDF",
    hash: "SHA-256",
    salt: concat(clientNonce, serverNonce),
    info: concat(enc.encode("SKB1/wrap"), new Uint8Array([0]), enc.encode(domain.toLowerCase())),
  }, ikm, 44 * 8));
  const wrapKey = await crypto.subtle.importKey(
    "raw", okm.subarray(0, 32), "AES-GCM", false, ["decrypt"]);
  const contentKey = new Uint8Array(await crypto.subtle.decrypt({
    name: "AES-GCM",
    iv: okm.subarray(32, 44),
    additionalData: resp.subarray(0, 40),
    tagLength: 128,
  }, wrapKey, resp.subarray(40, 88)));
  return { version, epoch, notAfter, contentKey };
}

async function fingerprint(contentKey) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", contentKey));
  return hex(digest.subarray(0, 8));
}

function show(state, status) {
  $("status").textContent = status;
  $("broker").dataset.state = state;
}

async function run() {
  for (const id of ["version", "epoch", "expires", "fingerprint"]) $(id).textContent = "";
  show("pending", "working…");
  const domain = location.hostname;
  $("domain").textContent = domain;
  try {
    if (!window.crypto || !crypto.subtle) {
      throw new BrokerError("WebCrypto needs a secure context (https, localhost or 127.0.0.1)");
    }
    const keyResp = await fetch("public-key", { cache: "no-store" });
    if (!keyResp.ok) throw new BrokerError(`public-key: HTTP ${keyResp.status}`);
    const info = await keyResp.json();
    const brokerKey = fromHex(info.publicKey);
    $("public-key").textContent = info.publicKey;
    $("domains").textContent = (info.domains || []).join(", ");

    const pair = await crypto.subtle.generateKey(
      { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
    const clientKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
    const nonce = crypto.getRandomValues(new Uint8Array(16));
    const request = buildRequest(clientKey, nonce, Date.now(), domain);

    const answer = await fetch("key", {
      method: "POST",
      headers: { "Content-Type": "application/octet-stream" },
      body: request,
      cache: "no-store",
    });
    if (!answer.ok) throw new BrokerError(`key: HTTP ${answer.status}`);
    const resp = new Uint8Array(await answer.arrayBuffer());
    if (resp.length === 0) throw new BrokerError("empty response from the broker");

    const opened = await openResponse(resp, pair.privateKey, brokerKey, nonce, domain);
    $("version").textContent = String(opened.version);
    $("epoch").textContent = opened.epoch.toString();
    const expires = $("expires");
    expires.dataset.ms = opened.notAfter.toString();
    expires.textContent = new Date(Number(opened.notAfter)).toISOString();
    $("fingerprint").textContent = await fingerprint(opened.contentKey);
    show("done", "ok");
  } catch (e) {
    show("error", e instanceof BrokerError ? e.message : `error: ${e.message || e}`);
  }
}

$("again").addEventListener("click", run);
run();

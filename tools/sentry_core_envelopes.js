// Reads envelopes with the JavaScript SDK's own parser (@sentry/core's
// parseEnvelope) and checks that it sees what the SDK wrote: the same
// envelope headers, items, item headers and payloads as a plain split of the
// bytes, and that the envelope survives @sentry/core's serializeEnvelope and
// a second parse unchanged.
//
//   node tools/sentry_core_envelopes.js SENTRY_CORE_DIR STREAM [TYPE=N...]
//
// STREAM holds envelopes back to back (what the stdout transport prints).
// Each TYPE=N (e.g. transaction=2) requires exactly N items of that type.
// Prints one line per item type and exits non-zero on the first mismatch.
"use strict";
const assert = require("assert");
const fs = require("fs");
const path = require("path");

const [coreDir, streamPath, ...expected] = process.argv.slice(2);
const { parseEnvelope, serializeEnvelope } = require(
  path.resolve(coreDir, "build/cjs/index.js"));

// Splits the stream as check_envelopes.py does: a header line with a "type"
// key starts an item, any other starts an envelope. Returns each envelope's
// bytes with what a plain reading finds in them.
function split(data) {
  const envelopes = [];
  let pos = 0;
  const line = () => {
    let end = data.indexOf(0x0a, pos);
    if (end < 0) end = data.length;
    const text = data.subarray(pos, end).toString("utf8");
    pos = Math.min(end + 1, data.length);
    return text;
  };
  while (pos < data.length) {
    const start = pos;
    const headers = JSON.parse(line());
    assert(!("type" in headers), `envelope header with a type at ${start}`);
    const items = [];
    while (pos < data.length) {
      const itemStart = pos;
      const itemHeaders = JSON.parse(line());
      if (!("type" in itemHeaders)) {
        pos = itemStart;
        break;
      }
      let payload;
      if (typeof itemHeaders.length === "number") {
        payload = data.subarray(pos, pos + itemHeaders.length);
        pos = Math.min(pos + itemHeaders.length + 1, data.length);
      } else {
        payload = Buffer.from(line(), "utf8");
      }
      items.push([itemHeaders, payload]);
    }
    // The envelope's own bytes, without the newline that ends the last item.
    let end = pos;
    if (end > start && data[end - 1] === 0x0a) end -= 1;
    envelopes.push({ bytes: data.subarray(start, end), headers, items });
  }
  return envelopes;
}

// A payload as @sentry/core returns it (bytes for items with a length, the
// parsed JSON otherwise), as JSON.
function json(payload) {
  return payload instanceof Uint8Array
    ? JSON.parse(Buffer.from(payload).toString("utf8"))
    : payload;
}

const counts = {};
const envelopes = split(fs.readFileSync(streamPath));
assert(envelopes.length > 0, "no envelope");
envelopes.forEach((envelope, index) => {
  const where = `envelope ${index}`;
  const parsed = parseEnvelope(new Uint8Array(envelope.bytes));
  assert.deepStrictEqual(parsed[0], envelope.headers, `${where}: headers`);
  assert.strictEqual(parsed[1].length, envelope.items.length, `${where}: items`);
  parsed[1].forEach(([itemHeaders, payload], i) => {
    const [ownHeaders, ownPayload] = envelope.items[i];
    assert.deepStrictEqual(itemHeaders, ownHeaders, `${where} item ${i}`);
    if (payload instanceof Uint8Array) {
      assert(Buffer.from(payload).equals(ownPayload), `${where} item ${i}`);
    }
    assert.deepStrictEqual(json(payload), JSON.parse(ownPayload.toString()),
      `${where} item ${i}: payload`);
    counts[itemHeaders.type] = (counts[itemHeaders.type] || 0) + 1;
  });
  const again = parseEnvelope(serializeEnvelope(parsed));
  assert.deepStrictEqual(again[0], parsed[0], `${where}: round trip`);
  assert.deepStrictEqual(again[1].map(([h, p]) => [h, json(p)]),
    parsed[1].map(([h, p]) => [h, json(p)]), `${where}: round trip`);
});
for (const spec of expected) {
  const [type, n] = spec.split("=");
  assert.strictEqual(counts[type] || 0, Number(n), `${type} items`);
}
for (const [type, n] of Object.entries(counts).sort()) {
  console.log(`@sentry/core parsed ${n} ${type} item(s)`);
}

#!/usr/bin/env node
// A minimal testee skeleton for the metagraph conformance suite, in plain Node.js (no npm
// dependencies). It speaks the protocol of docs/conformance-protocol.md and answers every
// case with `skipped: "not implemented"`: a starting point for porters (see README.md).
//
// Framing: every message is a 4-byte little-endian payload length, then the serialized
// protobuf message. The few fields needed are encoded and decoded by hand below.
//
// Run: python -m conformance --testee "node examples/js-testee/testee.js"
"use strict";

const fs = require("fs");

// Protocol 1: a runner speaking protocol 2 still serves it, without the cases that have a
// file-system pre-state (docs/conformance-protocol.md 4.5: answer 2 once you create the
// request's pre_state, field 6 of ExportRequest, and report symlinks and directories).
const PROTOCOL_VERSION = 1;
const IMPLEMENTATION = "js-testee skeleton 0.1";
const TARGET_TENSORFLOW_VERSION = "2.21.0";
const MAX_FRAME_BYTES = 2147483647; // 2 GiB - 1: the protocol's limit (section 3)

// stdout carries frames only: anything a library logs goes to stderr instead.
console.log = console.error;
console.info = console.error;
console.warn = console.error;
console.debug = console.error;

// -- protobuf wire format: the little that is needed ---------------------------------------
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

function encodeVarint(value) {
  // value: a non-negative integer below 2**53.
  const out = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

function encodeTag(field, wireType) {
  return encodeVarint(field * 8 + wireType);
}

function varintField(field, value) {
  return Buffer.concat([encodeTag(field, WIRE_VARINT), encodeVarint(value)]);
}

function bytesField(field, data) {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data, "utf8");
  return Buffer.concat([encodeTag(field, WIRE_LEN), encodeVarint(buf.length), buf]);
}

function decodeVarint(buf, pos) {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (pos >= buf.length) throw new Error("truncated varint");
    const byte = buf[pos++];
    value += (byte & 0x7f) * scale; // exact up to 2**53; larger values are only skipped
    scale *= 0x80;
    if (!(byte & 0x80)) return [value, pos];
  }
}

// Decodes a message into {field number: [values]}: numbers for varints, Buffers for
// length-delimited fields (strings, bytes, nested messages), and skips fixed-width ones.
function decodeMessage(buf) {
  const fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    let key;
    [key, pos] = decodeVarint(buf, pos);
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    let value;
    if (wireType === WIRE_VARINT) {
      [value, pos] = decodeVarint(buf, pos);
    } else if (wireType === WIRE_LEN) {
      let length;
      [length, pos] = decodeVarint(buf, pos);
      if (pos + length > buf.length) throw new Error("truncated length-delimited field");
      value = buf.subarray(pos, pos + length);
      pos += length;
    } else if (wireType === WIRE_FIXED64) {
      pos += 8;
      continue;
    } else if (wireType === WIRE_FIXED32) {
      pos += 4;
      continue;
    } else {
      throw new Error(`unsupported wire type ${wireType}`);
    }
    if (!fields.has(field)) fields.set(field, []);
    fields.get(field).push(value);
  }
  if (pos !== buf.length) throw new Error("truncated message");
  return fields;
}

function lastString(fields, field) {
  const values = fields.get(field);
  return values ? values[values.length - 1].toString("utf8") : "";
}

// -- the messages (protos/conformance/protocol/conformance.proto) ----------------------------
// Handshake: protocol_version = 1, implementation = 2, target_tensorflow_version = 3,
//            repeated features = 4 ("*": every feature, so that every case is sent).
function encodeHandshake() {
  return Buffer.concat([
    varintField(1, PROTOCOL_VERSION),
    bytesField(2, IMPLEMENTATION),
    bytesField(3, TARGET_TENSORFLOW_VERSION),
    bytesField(4, "*"),
  ]);
}

// ExportRequest: case_name = 1, snapshot = 2, arguments = 3, then = 4, program = 5,
//                pre_state = 6 (protocol 2 only; never sent to this protocol-1 testee).
function decodeExportRequest(payload) {
  const fields = decodeMessage(payload);
  return { caseName: lastString(fields, 1), snapshot: fields.get(2) };
}

// ExportResponse: case_name = 3; oneof result { Outcome outcome = 1; string skipped = 2 }.
function encodeSkipped(caseName, reason) {
  return Buffer.concat([bytesField(3, caseName), bytesField(2, reason)]);
}

// The place to start porting: turn the request into an Outcome (section 4.4) instead.
function handle(request) {
  return encodeSkipped(request.caseName, "not implemented");
}

// -- framing ----------------------------------------------------------------------------
function writeFrame(payload) {
  const header = Buffer.alloc(4);
  header.writeUInt32LE(payload.length, 0);
  const frame = Buffer.concat([header, payload]);
  let written = 0;
  while (written < frame.length) {
    try {
      written += fs.writeSync(1, frame, written, frame.length - written);
    } catch (err) {
      if (err.code !== "EAGAIN") throw err; // a non-blocking pipe that is full: retry
    }
  }
}

let pending = Buffer.alloc(0);
let helloSeen = false;

function onFrame(payload) {
  if (!helloSeen) {
    // Hello: protocol_version = 1, op_registry = 2 (unused here). A runner speaking a
    // newer version decides from our Handshake what to send.
    const hello = decodeMessage(payload);
    const version = (hello.get(1) || [0])[0];
    if (version < PROTOCOL_VERSION) {
      console.error(`the runner speaks protocol version ${version}, this testee ${PROTOCOL_VERSION}`);
    }
    helloSeen = true;
    writeFrame(encodeHandshake());
    return;
  }
  writeFrame(handle(decodeExportRequest(payload)));
}

process.stdin.on("data", (chunk) => {
  pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
  while (pending.length >= 4) {
    const size = pending.readUInt32LE(0);
    if (size > MAX_FRAME_BYTES) {
      console.error(`oversized frame: ${size} bytes`);
      process.exit(1);
    }
    if (pending.length < 4 + size) break;
    const payload = pending.subarray(4, 4 + size);
    pending = pending.subarray(4 + size);
    onFrame(payload);
  }
});

process.stdin.on("end", () => {
  // EOF between frames: exit promptly with status 0 (section 4).
  if (pending.length) console.error(`end of input inside a frame (${pending.length} bytes)`);
  process.exit(pending.length ? 1 : 0);
});

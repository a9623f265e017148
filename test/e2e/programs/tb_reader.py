#!/usr/bin/python3
"""An independent reader of TensorBoard event files, for the export tests.

Usage: tb_reader.py EVENTS_DIR FLOR_DB RUN

Checks every record of every event file under EVENTS_DIR/run<RUN> and
EVENTS_DIR/run<RUN>-hindsight: the TFRecord framing (length, masked CRC-32C
of the length and of the payload, computed here bit by bit), then decodes the
payloads with Debian's Python protobuf runtime against message types built
here from the public field numbers of TensorFlow's event.proto and
summary.proto (not from flor's .proto), and compares them with the store,
read straight from FLOR_DB with sqlite3: every log row of the run must be in
the files once, in the right folder, with its tag, step (the epoch), simple
value, histogram buckets or PNG bytes. Prints one line per failure; exit 1 if any.
"""
import glob
import json
import math
import os
import sqlite3
import struct
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def build_types():
    fd = descriptor_pb2.FileDescriptorProto(name="public_tb.proto", package="pub", syntax="proto3")

    def msg(name, fields, parent=None):
        m = (parent.nested_type if parent else fd.message_type).add(name=name)
        for fname, number, ftype, label, type_name in fields:
            f = m.field.add(name=fname, number=number, type=ftype, label=label or F.LABEL_OPTIONAL)
            if type_name:
                f.type_name = type_name
        return m

    msg("Event", [("wall_time", 1, F.TYPE_DOUBLE, None, None), ("step", 2, F.TYPE_INT64, None, None),
                  ("file_version", 3, F.TYPE_STRING, None, None), ("summary", 5, F.TYPE_MESSAGE, None, ".pub.Summary")])
    msg("HistogramProto", [("min", 1, F.TYPE_DOUBLE, None, None), ("max", 2, F.TYPE_DOUBLE, None, None),
                           ("num", 3, F.TYPE_DOUBLE, None, None), ("sum", 4, F.TYPE_DOUBLE, None, None),
                           ("sum_squares", 5, F.TYPE_DOUBLE, None, None),
                           ("bucket_limit", 6, F.TYPE_DOUBLE, F.LABEL_REPEATED, None),
                           ("bucket", 7, F.TYPE_DOUBLE, F.LABEL_REPEATED, None)])
    msg("TensorProto", [("dtype", 1, F.TYPE_INT32, None, None),
                        ("string_val", 8, F.TYPE_BYTES, F.LABEL_REPEATED, None)])
    msg("PluginData", [("plugin_name", 1, F.TYPE_STRING, None, None), ("content", 2, F.TYPE_BYTES, None, None)])
    msg("SummaryMetadata", [("plugin_data", 1, F.TYPE_MESSAGE, None, ".pub.PluginData")])
    msg("Image", [("height", 1, F.TYPE_INT32, None, None), ("width", 2, F.TYPE_INT32, None, None),
                  ("colorspace", 3, F.TYPE_INT32, None, None), ("encoded_image_string", 4, F.TYPE_BYTES, None, None)])
    msg("Value", [("tag", 1, F.TYPE_STRING, None, None), ("simple_value", 2, F.TYPE_FLOAT, None, None),
                  ("image", 4, F.TYPE_MESSAGE, None, ".pub.Image"), ("histo", 5, F.TYPE_MESSAGE, None, ".pub.HistogramProto"),
                  ("tensor", 8, F.TYPE_MESSAGE, None, ".pub.TensorProto"),
                  ("metadata", 9, F.TYPE_MESSAGE, None, ".pub.SummaryMetadata")])
    msg("Summary", [("value", 1, F.TYPE_MESSAGE, F.LABEL_REPEATED, ".pub.Value")])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fd)
    descriptor = pool.FindMessageTypeByName("pub.Event")
    if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.22
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)  # Debian 12: 4.21


def records(path, fail):
    data = open(path, "rb").read()
    pos = 0
    while pos < len(data):
        if pos + 12 > len(data):
            fail(f"{path}: a truncated record header at byte {pos}")
            return
        head = data[pos:pos + 8]
        (n,) = struct.unpack("<Q", head)
        (len_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if len_crc != masked(head):
            fail(f"{path}: record at byte {pos}: length CRC {len_crc:#x} != {masked(head):#x}")
        payload = data[pos + 12:pos + 12 + n]
        if pos + 16 + n > len(data):
            fail(f"{path}: record at byte {pos}: length {n} runs past the end of the file (length CRC above)")
            return
        (crc,) = struct.unpack("<I", data[pos + 12 + n:pos + 16 + n])
        if len(payload) != n:
            fail(f"{path}: record at byte {pos}: {len(payload)} bytes, length says {n}")
        if crc != masked(payload):
            fail(f"{path}: record at byte {pos}: data CRC {crc:#x} != {masked(payload):#x}")
        yield payload
        pos += 16 + n


def main():
    events_dir, db_path, run = sys.argv[1], sys.argv[2], int(sys.argv[3])
    failures = []
    fail = failures.append
    Event = build_types()
    seen = {}  # (hindsight, tag, step) -> summary value
    for hindsight, suffix in ((0, ""), (1, "-hindsight")):
        files = glob.glob(os.path.join(events_dir, f"run{run}{suffix}", "events.out.tfevents.*"))
        for path in files:
            first = True
            for payload in records(path, fail):
                e = Event()
                try:
                    e.ParseFromString(payload)
                except Exception as err:  # a damaged payload the CRC check has already named
                    fail(f"{path}: a payload that does not parse: {err}")
                    continue
                if first:
                    if e.file_version != "brain.Event:2":
                        fail(f"{path}: first event has file_version {e.file_version!r}")
                    first = False
                    continue
                if e.wall_time < 1e9:
                    fail(f"{path}: wall_time {e.wall_time} is not a unix time")
                for v in e.summary.value:
                    seen[(hindsight, v.tag, e.step)] = (v, e.wall_time)
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    rows = db.execute("SELECT name, epoch, step, value, type, hindsight, data, blob FROM logs WHERE run=? ORDER BY id",
                      (run,)).fetchall()
    if not rows:
        fail(f"run {run} has no logs in {db_path}")
    # wall_time: the recorded run's time of the value's epoch (its epoch row's
    # end), for hindsight values too: they belong to the record's timeline,
    # not the replay's clock; the run's start outside the main loop.
    started = db.execute("SELECT started FROM runs WHERE id=?", (run,)).fetchone()[0]
    ended = {}
    for first, iters, end in db.execute("SELECT epoch, iters, ended FROM epochs WHERE run=?", (run,)):
        for i in range(iters):
            ended[first + i] = end
    exp_dir = os.path.dirname(db_path)
    kinds = set()
    for name, epoch, step, value, type_, hindsight, data, blob in rows:
        if step >= 0:
            continue  # per-step values: global steps, checked by count below
        key = (hindsight, name, max(epoch, 0))
        if key not in seen:
            fail(f"{name} (epoch {epoch}, hindsight {hindsight}) is in the store but not in the event files")
            continue
        v, wall_time = seen[key]
        want_time = ended.get(epoch) if epoch >= 0 else started
        if wall_time != want_time:
            fail(f"{name} (epoch {epoch}, hindsight {hindsight}): wall_time {wall_time} is not the record's {want_time}")
        payload = data
        if blob:
            payload = open(os.path.join(exp_dir, "ckpt", "values", blob), "rb").read()
        if type_ in ("int", "float", "double", "bool") or (type_ == "tensor" and "[" not in value):
            kinds.add("scalar")
            want = 1.0 if value == "true" else 0.0 if value == "false" else float(value)
            if not math.isclose(v.simple_value, want, rel_tol=1e-6, abs_tol=1e-30):
                fail(f"{name} epoch {epoch}: simple_value {v.simple_value} != {want}")
        elif type_ == "histogram" or type_ == "tensor_summary":
            kinds.add("histogram")
            h = json.loads(payload)
            if list(v.histo.bucket) != h["counts"] or list(v.histo.bucket_limit) != h["edges"][1:]:
                fail(f"{name} epoch {epoch}: histogram buckets differ from the store's")
            if v.histo.num != h["count"] or v.histo.min != h["min"] or v.histo.max != h["max"]:
                fail(f"{name} epoch {epoch}: histogram num/min/max differ")
        elif type_ == "image":
            kinds.add("image")
            if v.image.encoded_image_string != payload or payload[:8] != b"\x89PNG\r\n\x1a\n":
                fail(f"{name} epoch {epoch}: PNG bytes differ from the store's")
            h, w, c = (int(x) for x in value.split()[1].split("x"))
            if (v.image.height, v.image.width, v.image.colorspace) != (h, w, c):
                fail(f"{name} epoch {epoch}: image {v.image.height}x{v.image.width}x{v.image.colorspace} != {value}")
        else:
            kinds.add("text")
            if v.metadata.plugin_data.plugin_name != "text" or not v.tensor.string_val:
                fail(f"{name} epoch {epoch}: not a text summary")
            elif type_ == "string" and v.tensor.string_val[0].decode() != value:
                fail(f"{name} epoch {epoch}: text {v.tensor.string_val[0]!r} != the store's {value!r}")
            elif type_ == "tensor" and json.loads(v.tensor.string_val[0])["shape"] != json.loads(
                    "[" + value[value.index("[") + 1:value.index("]")] + "]"):
                fail(f"{name} epoch {epoch}: tensor text has another shape than {value}")
    per_step = sum(1 for r in rows if r[2] >= 0)
    step_events = sum(1 for (h, tag, s) in seen if any(r[0] == tag and r[2] >= 0 and r[5] == h for r in rows))
    if step_events != per_step:
        fail(f"{per_step} per-step values in the store, {step_events} distinct (tag, step) events")
    for f in failures:
        print("tb_reader:", f)
    print(f"tb_reader: {len(rows)} values checked ({', '.join(sorted(kinds))}), {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

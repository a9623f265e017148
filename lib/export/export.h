// `flor export`: a recorded run's values (its own and the hindsight values
// replays filled in) for the viewers people already use: TensorBoard event
// files (which W&B's sync_tensorboard and Aim read too), CSV and JSON lines.
// Formats: docs/export.md.
//
// Thread-safety: none needed (one call at a time).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "store/store.h"
#include "util/status.h"

namespace flor::exports {

// The CRC-32C (Castagnoli) of `n` bytes, and TFRecord's mask of it:
// ((crc >> 15) | (crc << 17)) + 0xa282ead8.
uint32_t crc32c(const void* data, size_t n);
uint32_t masked_crc32c(const void* data, size_t n);

// Writes the values of recorded run `record` under DIR/run<ID> (recorded)
// and DIR/run<ID>-hindsight (filled in by replays): one event file each,
// events.out.tfevents.<start>.flor. Scalars (numbers, bools, one-element
// tensors) as simple values, histograms and summarized tensors as
// histograms, images as PNG images, strings and whole tensors (their JSON)
// as text. Step: the epoch, or for a value logged per step the global step
// (the steps of earlier epochs counted in); wall time: the end of the
// record's epoch (its start for values before the main loop).
Status export_tensorboard(store::Store& store, const store::Run& record, const std::string& dir);

// DIR/run<ID>.csv: run, source, hindsight, epoch, step, name, type, value
// (exact text; typed values as their JSON, docs/store-format.md).
Status export_csv(store::Store& store, const store::Run& record, const std::string& dir);

// One JSON object a line: {"run","source","hindsight","epoch","step","name","type","value"}
// (value: a number, bool, string, or the typed value's JSON).
Status export_jsonl(store::Store& store, const store::Run& record, std::FILE* out);

}  // namespace flor::exports

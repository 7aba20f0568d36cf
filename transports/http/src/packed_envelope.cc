#include "transports/http/src/packed_envelope.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "transports/http/src/gzip.h"

namespace sentry::internal {

PackedEnvelope PackedEnvelope::Pack(Envelope envelope, bool compress) {
  PackedEnvelope packed;
  envelope.RemoveHeader("sent_at");  // Written when it is sent.
  envelope.AppendHeader(&packed.header_);
  packed.header_.resize(packed.header_.size() - 2);  // "}\n"
  for (const auto& item : envelope.items()) {
    if (!packed.types_.empty()) packed.types_.push_back('\n');
    absl::StrAppend(&packed.types_, item.type, " ", item.ItemCount(), " ",
                    item.payload.size(), " ", item.SpanCount());
  }
  if (compress) {
    thread_local std::string items;  // Keeps its capacity.
    items.clear();
    envelope.AppendItems(&items);
    if (auto deflated = DeflateItems(items)) {
      packed.items_ = std::move(deflated->deflated);
      packed.compressed_ = true;
      packed.crc_ = deflated->crc;
      packed.items_size_ = static_cast<uint32_t>(deflated->size);
      return packed;
    }
    packed.items_.assign(items.data(), items.size());  // Exact capacity.
    return packed;
  }
  envelope.AppendItems(&packed.items_);
  packed.items_.shrink_to_fit();
  return packed;
}

absl::StatusOr<Envelope> PackedEnvelope::Unpack() const {
  std::string bytes = absl::StrCat(header_, "}\n");
  if (compressed_) {
    auto items = Inflate(items_, /*gzip=*/false, items_size_);
    if (!items.ok()) return items.status();
    bytes.append(*items);
  } else {
    bytes.append(items_);
  }
  return Envelope::Parse(bytes);
}

void PackedEnvelope::WriteBody(absl::Time sent_at, std::string* out,
                               bool* gzipped) const {
  thread_local std::string header;
  std::string& line = compressed_ ? header : *out;
  line.assign(header_);
  if (line.size() > 1) line.push_back(',');
  line.append("\"sent_at\":\"");
  AppendRfc3339(sent_at, &line);
  line.append("\"}\n");
  *gzipped = compressed_;
  if (compressed_) return AssembleGzip(line, items_, crc_, items_size_, out);
  out->append(items_);
}

std::string PackedEnvelope::event_id() const {
  auto header = Envelope::Parse(absl::StrCat(header_, "}\n"));
  return header.ok() ? header->event_id() : "";
}

std::vector<absl::string_view> PackedEnvelope::item_types() const {
  std::vector<absl::string_view> types;
  for (const ItemSummary& item : item_summaries()) types.push_back(item.type);
  return types;
}

std::vector<PackedEnvelope::ItemSummary> PackedEnvelope::item_summaries()
    const {
  std::vector<ItemSummary> items;
  if (types_.empty()) return items;
  for (absl::string_view line : absl::StrSplit(types_, '\n')) {
    std::vector<absl::string_view> parts = absl::StrSplit(line, ' ');
    ItemSummary item;
    item.type = parts[0];
    if (parts.size() == 4) {
      (void)absl::SimpleAtoi(parts[1], &item.count);
      (void)absl::SimpleAtoi(parts[2], &item.bytes);
      (void)absl::SimpleAtoi(parts[3], &item.spans);
    }
    items.push_back(item);
  }
  return items;
}

}  // namespace sentry::internal

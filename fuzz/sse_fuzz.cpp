// Fuzz target: the upstream stream parsers. The input is a small header that
// says where to cut the stream into chunks, then the stream bytes:
//
//   byte 0        bits 0-2: number of cut points n (0..7)
//                 bit 7: use tiny size limits (64 bytes) to reach the
//                        "event/line too large" paths
//   bytes 1..2n   n little-endian uint16 cut positions (taken modulo the
//                 stream length, sorted)
//   rest          the stream
//
// The stream goes through net::SseParser, net::LineSplitter and both upstream
// decoders (providers::MakeOpenAIDecoder, MakeOllamaDecoder), once whole and
// once in chunks. Besides "no crash, no sanitizer report", the target checks
// the parsers' contract that bytes may be split anywhere: when both runs
// succeed they must produce the same events.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/types.h"
#include "net/lines.h"
#include "net/sse.h"
#include "providers/wire.h"

namespace {

using sluice::Status;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "sse_fuzz: %s differs between whole and chunked input\n", what);
  std::abort();
}

// Runs `feed` on `chunks` in order, stopping at the first error.
template <typename Feed>
Status FeedAll(const std::vector<std::string_view>& chunks, Feed feed) {
  for (std::string_view chunk : chunks) {
    Status s = feed(chunk);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

struct SseResult {
  Status status;
  std::vector<sluice::net::SseEvent> events;
  bool partial = false;
};

SseResult RunSse(const std::vector<std::string_view>& chunks, size_t limit) {
  SseResult r;
  sluice::net::SseParser parser(limit);
  r.status = FeedAll(chunks, [&](std::string_view c) { return parser.Feed(c, &r.events); });
  r.partial = parser.HasPartial();
  return r;
}

struct LinesResult {
  Status status;
  std::vector<std::string> lines;
};

LinesResult RunLines(const std::vector<std::string_view>& chunks, size_t limit) {
  LinesResult r;
  sluice::net::LineSplitter splitter(limit);
  r.status = FeedAll(chunks, [&](std::string_view c) { return splitter.Feed(c, &r.lines); });
  if (r.status.ok()) r.lines.push_back(splitter.TakeRemainder());
  return r;
}

struct DecodeResult {
  Status status;
  std::vector<sluice::api::Event> events;
};

DecodeResult RunDecoder(std::unique_ptr<sluice::providers::StreamDecoder> decoder,
                        const std::vector<std::string_view>& chunks) {
  DecodeResult r;
  r.status = FeedAll(chunks, [&](std::string_view c) { return decoder->Feed(c, &r.events); });
  if (r.status.ok()) r.status = decoder->Finish(&r.events);
  return r;
}

bool SameEvents(const std::vector<sluice::api::Event>& a, const std::vector<sluice::api::Event>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].kind != b[i].kind || a[i].text != b[i].text ||
        a[i].finish_reason != b[i].finish_reason ||
        a[i].usage.prompt_tokens != b[i].usage.prompt_tokens ||
        a[i].usage.completion_tokens != b[i].usage.completion_tokens ||
        a[i].error.code() != b[i].error.code()) {
      return false;
    }
  }
  return true;
}

bool SameSse(const std::vector<sluice::net::SseEvent>& a,
             const std::vector<sluice::net::SseEvent>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].event != b[i].event || a[i].data != b[i].data || a[i].id != b[i].id) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t n_cuts = data[0] & 0x07u;
  const bool tiny_limits = (data[0] & 0x80u) != 0;
  const size_t header = 1 + 2 * n_cuts;
  if (size < header) return 0;
  std::string_view stream(reinterpret_cast<const char*>(data) + header, size - header);

  std::vector<size_t> cuts;
  for (size_t i = 0; i < n_cuts && !stream.empty(); ++i) {
    const size_t pos = static_cast<size_t>(data[1 + 2 * i]) |
                       static_cast<size_t>(data[2 + 2 * i]) << 8;
    cuts.push_back(pos % (stream.size() + 1));
  }
  std::sort(cuts.begin(), cuts.end());
  std::vector<std::string_view> chunks;
  size_t start = 0;
  for (size_t cut : cuts) {
    chunks.push_back(stream.substr(start, cut - start));  // empty chunks are allowed too
    start = cut;
  }
  chunks.push_back(stream.substr(start));
  const std::vector<std::string_view> whole = {stream};

  const size_t limit = tiny_limits ? 64 : (8u << 20);

  const SseResult sse_whole = RunSse(whole, limit);
  const SseResult sse_chunked = RunSse(chunks, limit);
  if (sse_whole.status.ok() && sse_chunked.status.ok() &&
      (!SameSse(sse_whole.events, sse_chunked.events) || sse_whole.partial != sse_chunked.partial)) {
    Fail("SseParser");
  }

  const LinesResult lines_whole = RunLines(whole, limit);
  const LinesResult lines_chunked = RunLines(chunks, limit);
  if (lines_whole.status.ok() && lines_chunked.status.ok() &&
      lines_whole.lines != lines_chunked.lines) {
    Fail("LineSplitter");
  }

  // The decoders use their production limits (8 MiB), as the gateway does.
  const DecodeResult openai_whole = RunDecoder(sluice::providers::MakeOpenAIDecoder(), whole);
  const DecodeResult openai_chunked = RunDecoder(sluice::providers::MakeOpenAIDecoder(), chunks);
  if (openai_whole.status.ok() != openai_chunked.status.ok() ||
      (openai_whole.status.ok() && !SameEvents(openai_whole.events, openai_chunked.events))) {
    Fail("OpenAI decoder");
  }
  const DecodeResult ollama_whole = RunDecoder(sluice::providers::MakeOllamaDecoder(), whole);
  const DecodeResult ollama_chunked = RunDecoder(sluice::providers::MakeOllamaDecoder(), chunks);
  if (ollama_whole.status.ok() != ollama_chunked.status.ok() ||
      (ollama_whole.status.ok() && !SameEvents(ollama_whole.events, ollama_chunked.events))) {
    Fail("Ollama decoder");
  }
  return 0;
}

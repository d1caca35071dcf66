#include "gguf/gguf_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "gguf/test_bytes.h"
#include "gguf/writer.h"

namespace sluice::gguf {
namespace {

using ::sluice::gguf::testing::Bytes;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A GGUF v3 file written out byte by byte from the spec (docs/gguf.md,
// ggml/docs/gguf.md upstream), not produced by our writer: 2 kv pairs and one
// 2×1 F32 tensor, alignment 32.
constexpr uint8_t kGolden[] = {
    'G', 'G', 'U', 'F',                              // 0: magic
    0x03, 0x00, 0x00, 0x00,                          // 4: version 3
    0x01, 0, 0, 0, 0, 0, 0, 0,                       // 8: tensor count 1
    0x02, 0, 0, 0, 0, 0, 0, 0,                       // 16: kv count 2
    // kv #0 at 24: key "general.architecture" (20 bytes), STRING "llama"
    20, 0, 0, 0, 0, 0, 0, 0,
    'g', 'e', 'n', 'e', 'r', 'a', 'l', '.', 'a', 'r', 'c', 'h', 'i', 't', 'e', 'c', 't', 'u', 'r',
    'e',
    0x08, 0x00, 0x00, 0x00,                          // type STRING
    5, 0, 0, 0, 0, 0, 0, 0, 'l', 'l', 'a', 'm', 'a',
    // kv #1 at 69: key "a", ARRAY of INT16 [1, -2]
    1, 0, 0, 0, 0, 0, 0, 0, 'a',
    0x09, 0x00, 0x00, 0x00,                          // type ARRAY
    0x03, 0x00, 0x00, 0x00,                          // element type INT16
    2, 0, 0, 0, 0, 0, 0, 0,                          // count 2
    0x01, 0x00, 0xFE, 0xFF,                          // 1, -2
    // tensor info #0 at 98: "w", n_dims 2, ne [2, 1], F32, offset 0
    1, 0, 0, 0, 0, 0, 0, 0, 'w',
    0x02, 0x00, 0x00, 0x00,
    2, 0, 0, 0, 0, 0, 0, 0,
    1, 0, 0, 0, 0, 0, 0, 0,
    0x00, 0x00, 0x00, 0x00,                          // F32
    0, 0, 0, 0, 0, 0, 0, 0,                          // offset 0
    // 139: padding to 160
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    // 160: data: 1.0f, -2.5f
    0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0,
    // 168: padding after the last tensor to 192
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

TEST(GgufGolden, ReaderParsesHandWrittenBytes) {
  static_assert(sizeof(kGolden) == 192);
  StatusOr<GgufFile> file = ParseGguf(kGolden);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->version(), 3u);
  EXPECT_EQ(file->alignment(), 32u);
  EXPECT_EQ(file->data_offset(), 160u);
  ASSERT_EQ(file->metadata().size(), 2u);
  EXPECT_EQ(file->metadata()[0].key, "general.architecture");
  EXPECT_EQ(file->metadata()[0].offset, 24u);
  EXPECT_EQ(file->metadata()[1].key, "a");
  EXPECT_EQ(file->metadata()[1].offset, 69u);
  EXPECT_EQ(*file->GetString("general.architecture"), "llama");
  StatusOr<std::vector<int16_t>> a = file->GetArrayOf<int16_t>("a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, (std::vector<int16_t>{1, -2}));
  ASSERT_EQ(file->tensors().size(), 1u);
  const TensorInfo& w = file->tensors()[0];
  EXPECT_EQ(w.name, "w");
  EXPECT_EQ(w.type, GgmlType::kF32);
  EXPECT_EQ(w.n_dims, 2u);
  EXPECT_EQ(w.ne[0], 2u);
  EXPECT_EQ(w.ne[1], 1u);
  EXPECT_EQ(w.n_elements, 2u);
  EXPECT_EQ(w.n_bytes, 8u);
  EXPECT_EQ(w.data.data(), kGolden + 160);
  float values[2];
  std::memcpy(values, w.data.data(), 8);
  EXPECT_EQ(values[0], 1.0f);
  EXPECT_EQ(values[1], -2.5f);
}

TEST(GgufGolden, WriterProducesHandWrittenBytes) {
  GgufWriter writer;
  ASSERT_TRUE(writer.SetString("general.architecture", "llama").ok());
  const int16_t a[] = {1, -2};
  ASSERT_TRUE(writer.SetArray<int16_t>("a", a).ok());
  const float w[] = {1.0f, -2.5f};
  const uint64_t ne[] = {2, 1};
  ASSERT_TRUE(writer
                  .AddTensor("w", GgmlType::kF32, ne,
                             {reinterpret_cast<const uint8_t*>(w), sizeof(w)})
                  .ok());
  const std::vector<uint8_t> bytes = writer.Serialize();
  EXPECT_EQ(bytes, std::vector<uint8_t>(std::begin(kGolden), std::end(kGolden)));
}

// ---- lookups ----

TEST(GgufLookup, TypedGettersNameKeyAndTypes) {
  GgufWriter writer;
  ASSERT_TRUE(writer.Set("n", Value(uint64_t{7})).ok());
  const int32_t ids[] = {1, 2};
  ASSERT_TRUE(writer.SetArray<int32_t>("ids", ids).ok());
  const std::vector<uint8_t> bytes = writer.Serialize();
  StatusOr<GgufFile> file = ParseGguf(bytes);
  ASSERT_TRUE(file.ok()) << file.status().ToString();

  EXPECT_EQ(*file->GetU64("n"), 7u);
  StatusOr<uint32_t> wrong = file->GetU32("n");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(wrong.status().message(), "gguf: metadata key \"n\" has type UINT64, expected UINT32");

  StatusOr<std::string_view> missing = file->GetString("general.name");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "gguf: metadata key \"general.name\" not found");

  StatusOr<std::span<const std::string_view>> tokens = file->GetStringArray("ids");
  ASSERT_FALSE(tokens.ok());
  EXPECT_EQ(tokens.status().message(),
            "gguf: metadata key \"ids\" has type ARRAY[INT32], expected ARRAY[STRING]");
  EXPECT_FALSE(file->GetF32Array("ids").ok());
  EXPECT_EQ(*file->GetI32Array("ids"), (std::vector<int32_t>{1, 2}));
  EXPECT_FALSE(file->GetArray("n").ok());

  StatusOr<const TensorInfo*> tensor = file->GetTensor("output.weight");
  ASSERT_FALSE(tensor.ok());
  EXPECT_EQ(tensor.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(tensor.status().message(), HasSubstr("\"output.weight\""));
}

TEST(GgufLookup, StringArrayViewsPointIntoTheBuffer) {
  GgufWriter writer;
  const std::vector<std::string> tokens = {"<s>", "</s>", "▁the", ""};
  ASSERT_TRUE(writer.SetStringArray("tokenizer.ggml.tokens", tokens).ok());
  const std::vector<uint8_t> bytes = writer.Serialize();
  StatusOr<GgufFile> file = ParseGguf(bytes);
  ASSERT_TRUE(file.ok());
  StatusOr<std::span<const std::string_view>> views = file->GetStringArray("tokenizer.ggml.tokens");
  ASSERT_TRUE(views.ok());
  ASSERT_EQ(views->size(), tokens.size());
  const auto* begin = reinterpret_cast<const char*>(bytes.data());
  for (size_t i = 0; i < tokens.size(); ++i) {
    EXPECT_EQ((*views)[i], tokens[i]);
    EXPECT_GE((*views)[i].data(), begin);
    EXPECT_LE((*views)[i].data() + (*views)[i].size(), begin + bytes.size());
  }
}

// ---- hostile and malformed headers ----

// Parses an exact-size copy (so AddressSanitizer sees any read past the end)
// and returns the error message, or "OK".
std::string ParseError(const std::vector<uint8_t>& bytes) {
  std::vector<uint8_t> copy(bytes.begin(), bytes.end());
  StatusOr<GgufFile> file = ParseGguf(copy);
  if (file.ok()) return "OK";
  EXPECT_EQ(file.status().code(), ErrorCode::kInvalidArgument);
  return file.status().message();
}

// One kv pair "k" = UINT32 1, for files that need some metadata.
Bytes& KvU32(Bytes& b, std::string_view key, uint32_t value) {
  return b.Str(key).U32(4).U32(value);
}

// A tensor info.
Bytes& TensorInfoBytes(Bytes& b, std::string_view name, std::vector<uint64_t> ne, uint32_t type,
                       uint64_t offset) {
  b.Str(name).U32(static_cast<uint32_t>(ne.size()));
  for (uint64_t n : ne) b.U64(n);
  return b.U32(type).U64(offset);
}

TEST(GgufHostile, WrongMagic) {
  Bytes b;
  b.Raw("GGML").U32(3).U64(0).U64(0);
  EXPECT_EQ(ParseError(b.bytes()),
            "gguf: offset 0: header: not a GGUF file: magic is \"GGML\", expected \"GGUF\"");
  Bytes binary;
  binary.U32(0x00FF0A7F);
  EXPECT_THAT(ParseError(binary.bytes()), HasSubstr("magic is \"\\x7f\\n\\xff\\x00\""));
}

TEST(GgufHostile, EmptyAndTinyFiles) {
  EXPECT_EQ(ParseError({}),
            "gguf: offset 0: header: magic (4 bytes) runs past end of file (size 0)");
  Bytes b;
  b.Raw("GGUF").U32(3).U64(0);
  EXPECT_EQ(ParseError(b.bytes()),
            "gguf: offset 16: header: metadata kv count (8 bytes) runs past end of file (size 16)");
}

TEST(GgufHostile, VersionOneRefusedByName) {
  Bytes b;
  b.Header(0, 0, /*version=*/1);
  EXPECT_THAT(ParseError(b.bytes()),
              AllOf(StartsWith("gguf: offset 4: header: "), HasSubstr("version 1 is not supported")));
}

TEST(GgufHostile, UnknownVersion) {
  Bytes b;
  b.Header(0, 0, /*version=*/4);
  EXPECT_THAT(ParseError(b.bytes()), HasSubstr("offset 4: header: unsupported GGUF version 4"));
}

TEST(GgufHostile, BigEndianRefusedClearly) {
  Bytes b;
  b.Raw("GGUF").U32(0x03000000).U64(uint64_t{1} << 56).U64(0);
  EXPECT_THAT(ParseError(b.bytes()),
              AllOf(HasSubstr("offset 4"), HasSubstr("big-endian GGUF v3"),
                    HasSubstr("only little-endian")));
}

TEST(GgufHostile, HugeKvCount) {
  Bytes b;
  b.Header(0, uint64_t{1} << 60);
  EXPECT_THAT(ParseError(b.bytes()),
              AllOf(StartsWith("gguf: offset 16: header: metadata kv count 1152921504606846976"),
                    HasSubstr("runs past end of file (size 24)")));
}

TEST(GgufHostile, HugeTensorCount) {
  Bytes b;
  b.Header(~uint64_t{0}, 0);
  EXPECT_THAT(ParseError(b.bytes()),
              AllOf(StartsWith("gguf: offset 8: header: tensor count 18446744073709551615"),
                    HasSubstr("runs past end of file")));
}

TEST(GgufHostile, HugeKeyLength) {
  Bytes b;
  b.Header(0, 1).U64(0xFFFFFFFF).Raw("abcdefgh");
  EXPECT_EQ(ParseError(b.bytes()),
            "gguf: offset 24: metadata key #0: key length 4294967295 runs past end of file "
            "(size 40)");
}

TEST(GgufHostile, HugeStringLengthInsideStringArray) {
  Bytes b;
  b.Header(0, 1).Str("tokenizer.ggml.tokens").U32(9).U32(8).U64(2);
  b.Str("a");
  const size_t bad_at = b.size();
  b.U64(0xFFFFFFFF).Raw("b");
  EXPECT_EQ(ParseError(b.bytes()),
            "gguf: offset " + std::to_string(bad_at) +
                ": metadata key #0 (\"tokenizer.ggml.tokens\")[1]: string length 4294967295 runs "
                "past end of file (size " + std::to_string(b.size()) + ")");
}

TEST(GgufHostile, HugeArrayCount) {
  for (uint32_t element_type : {0u, 4u, 8u, 9u, 12u}) {
    Bytes b;
    b.Header(0, 1).Str("big").U32(9).U32(element_type);
    const size_t count_at = b.size();
    b.U64(uint64_t{1} << 61).U32(0);
    EXPECT_THAT(ParseError(b.bytes()),
                AllOf(StartsWith("gguf: offset " + std::to_string(count_at) +
                                 ": metadata key #0 (\"big\"): array count 2305843009213693952"),
                      HasSubstr("runs past end of file")))
        << element_type;
  }
}

TEST(GgufHostile, ArrayCountOverBookkeepingLimit) {
  // Empty arrays take 12 bytes in the file but sizeof(Array) in memory: one
  // more than fits in 256 MiB of Array objects is refused before allocating.
  const uint64_t count = (uint64_t{256} << 20) / sizeof(Array) + 1;
  Bytes b;
  b.Header(0, 1).Str("nested").U32(9).U32(9).U64(count);
  b.Zeros(count * 12);
  StatusOr<GgufFile> file = ParseGguf(b.bytes());
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(),
              AllOf(HasSubstr("array count " + std::to_string(count) + " of ARRAY"),
                    HasSubstr("limit of 256 MiB")));
}

TEST(GgufHostile, UnknownValueType) {
  Bytes b;
  b.Header(0, 2);
  KvU32(b, "ok", 1);
  b.Str("weird").U32(13).U32(0);
  EXPECT_THAT(ParseError(b.bytes()),
              HasSubstr("offset 55: metadata key #1 (\"weird\"): value type 13 is not a GGUF "
                        "value type (0..12)"));
}

TEST(GgufHostile, UnknownArrayElementType) {
  Bytes b;
  b.Header(0, 1).Str("arr").U32(9).U32(0x7FFFFFFF).U64(0);
  EXPECT_THAT(ParseError(b.bytes()),
              HasSubstr("offset 39: metadata key #0 (\"arr\"): array element type 2147483647 is "
                        "not a GGUF value type"));
}

TEST(GgufHostile, BoolOtherThanZeroOrOne) {
  Bytes b;
  b.Header(0, 1).Str("flag").U32(7).U8(2);
  EXPECT_THAT(ParseError(b.bytes()),
              HasSubstr("offset 40: metadata key #0 (\"flag\"): bool 2 is neither 0 nor 1"));
  Bytes arr;
  arr.Header(0, 1).Str("flags").U32(9).U32(7).U64(3).U8(1).U8(0).U8(9);
  EXPECT_THAT(ParseError(arr.bytes()), HasSubstr("offset 55: metadata key #0 (\"flags\"): bool 9"));
}

TEST(GgufHostile, ArraysNestedTooDeep) {
  Bytes b;
  b.Header(0, 1).Str("deep").U32(9);
  for (int i = 0; i < 9; ++i) b.U32(9).U64(1);
  b.U32(0).U64(0);
  EXPECT_THAT(ParseError(b.bytes()),
              AllOf(HasSubstr("(\"deep\")[0][0][0][0][0][0][0][0]: arrays nested more than 8")));
}

TEST(GgufHostile, DuplicateKey) {
  Bytes b;
  b.Header(0, 3);
  KvU32(b, "a", 1);
  KvU32(b, "b", 2);
  const size_t dup_at = b.size();
  KvU32(b, "a", 3);
  EXPECT_EQ(ParseError(b.bytes()),
            "gguf: offset " + std::to_string(dup_at) +
                ": metadata key #2 (\"a\"): duplicate key (first defined as metadata key #0)");
}

TEST(GgufHostile, AlignmentNotAPowerOfTwo) {
  Bytes b;
  b.Header(0, 1);
  KvU32(b, "general.alignment", 48);
  EXPECT_THAT(ParseError(b.bytes()),
              HasSubstr("offset 53: metadata key #0 (\"general.alignment\"): general.alignment "
                        "48 is not a power of two"));
  Bytes zero;
  zero.Header(0, 1);
  KvU32(zero, "general.alignment", 0);
  EXPECT_THAT(ParseError(zero.bytes()), HasSubstr("general.alignment 0 is not a power of two"));
  Bytes wide;
  wide.Header(0, 1).Str("general.alignment").U32(10).U64(32);
  EXPECT_THAT(ParseError(wide.bytes()), HasSubstr("general.alignment must be UINT32, not UINT64"));
}

// A file with one kv and the given tensor infos; data section of `data_bytes` zeros.
std::vector<uint8_t> FileWithTensors(
    const std::vector<std::function<void(Bytes&)>>& infos, size_t data_bytes,
    size_t* first_info_at = nullptr) {
  Bytes b;
  b.Header(infos.size(), 1);
  KvU32(b, "general.alignment", 32);
  if (first_info_at != nullptr) *first_info_at = b.size();
  for (const auto& info : infos) info(b);
  b.PadTo(32).Zeros(data_bytes);
  return b.bytes();
}

TEST(GgufHostile, ValidTensorFileParses) {
  // The baseline the tensor tests below break one field of.
  const auto bytes = FileWithTensors(
      {[](Bytes& b) { TensorInfoBytes(b, "t0", {32, 2}, 2, 0); },
       [](Bytes& b) { TensorInfoBytes(b, "t1", {3}, 0, 64); }},
      76);
  EXPECT_EQ(ParseError(bytes), "OK");
}

TEST(GgufHostile, NDimsOutOfRange) {
  size_t at = 0;
  const auto bytes = FileWithTensors(
      {[](Bytes& b) {
        b.Str("t").U32(9);
        for (int i = 0; i < 9; ++i) b.U64(1);
        b.U32(0).U64(0);
      }},
      64, &at);
  EXPECT_EQ(ParseError(bytes), "gguf: offset " + std::to_string(at + 9) +
                                   ": tensor #0 (\"t\"): n_dims 9 is out of range (1..4)");
  const auto zero = FileWithTensors({[](Bytes& b) { b.Str("t").U32(0).U32(0).U64(0); }}, 64);
  EXPECT_THAT(ParseError(zero), HasSubstr("n_dims 0 is out of range"));
}

TEST(GgufHostile, UnknownGgmlType) {
  size_t at = 0;
  for (uint32_t type : {4u, 31u, 99u, 0xFFFFFFFFu}) {
    const auto bytes =
        FileWithTensors({[&](Bytes& b) { TensorInfoBytes(b, "blk.0.w", {32}, type, 0); }}, 256,
                        &at);
    EXPECT_EQ(ParseError(bytes), "gguf: offset " + std::to_string(at + 15 + 4 + 8) +
                                     ": tensor #0 (\"blk.0.w\"): unknown ggml type id " +
                                     std::to_string(type));
  }
}

TEST(GgufHostile, RowNotAWholeNumberOfBlocks) {
  const auto bytes = FileWithTensors({[](Bytes& b) { TensorInfoBytes(b, "q", {33}, 2, 0); }}, 64);
  EXPECT_THAT(ParseError(bytes),
              HasSubstr("tensor #0 (\"q\"): ne[0] = 33 is not a multiple of the Q4_0 block size 32"));
}

TEST(GgufHostile, ElementCountOverflow) {
  const auto bytes = FileWithTensors(
      {[](Bytes& b) { TensorInfoBytes(b, "big", {uint64_t{1} << 40, uint64_t{1} << 40}, 0, 0); }},
      64);
  EXPECT_THAT(ParseError(bytes), HasSubstr("tensor #0 (\"big\"): element count overflows int64"));
  const auto negative =
      FileWithTensors({[](Bytes& b) { TensorInfoBytes(b, "neg", {~uint64_t{0}}, 0, 0); }}, 64);
  EXPECT_THAT(ParseError(negative), HasSubstr("element count overflows int64 at ne[0]"));
}

TEST(GgufHostile, TensorDataPastEndOfFile) {
  size_t at = 0;
  const auto bytes = FileWithTensors(
      {[](Bytes& b) { TensorInfoBytes(b, "t0", {8}, 0, 0); },
       [](Bytes& b) { TensorInfoBytes(b, "t1", {8}, 0, 32); }},
      40, &at);
  // t1's offset field: t0's info (8+2 + 4 + 8 + 4 + 8 = 34) + t1's up to its offset (34 - 8).
  EXPECT_THAT(ParseError(bytes),
              AllOf(StartsWith("gguf: offset " + std::to_string(at + 34 + 26) +
                               ": tensor #1 (\"t1\"): data at "),
                    HasSubstr("+ 32 (32 bytes) runs past end of file")));
  const auto huge_offset = FileWithTensors(
      {[](Bytes& b) { TensorInfoBytes(b, "t", {8}, 0, uint64_t{1} << 63); }}, 64);
  EXPECT_THAT(ParseError(huge_offset), HasSubstr("runs past end of file"));
  const auto wraps = FileWithTensors(
      {[](Bytes& b) { TensorInfoBytes(b, "t", {8}, 0, ~uint64_t{0} - 31); }}, 64);
  EXPECT_THAT(ParseError(wraps), HasSubstr("runs past end of file"));
}

TEST(GgufHostile, MisalignedTensorOffset) {
  const auto bytes =
      FileWithTensors({[](Bytes& b) { TensorInfoBytes(b, "t", {1}, 0, 4); }}, 64);
  EXPECT_THAT(ParseError(bytes),
              HasSubstr("tensor #0 (\"t\"): data offset 4 is not a multiple of the alignment 32"));
}

TEST(GgufHostile, DuplicateTensorName) {
  const auto bytes = FileWithTensors(
      {[](Bytes& b) { TensorInfoBytes(b, "w", {1}, 0, 0); },
       [](Bytes& b) { TensorInfoBytes(b, "w", {1}, 0, 32); }},
      64);
  EXPECT_THAT(ParseError(bytes),
              HasSubstr("tensor #1 (\"w\"): duplicate tensor name (first used by tensor #0)"));
}

TEST(GgufHostile, HostileNamesAreEscapedInMessages) {
  const auto bytes = FileWithTensors(
      {[](Bytes& b) { TensorInfoBytes(b, std::string_view("a\"\n\0b", 5), {1}, 0, 4); }}, 64);
  EXPECT_THAT(ParseError(bytes), HasSubstr("tensor #0 (\"a\\\"\\n\\x00b\")"));
}

TEST(GgufHostile, VersionTwoIsAccepted) {
  Bytes b;
  b.Header(0, 1, /*version=*/2);
  KvU32(b, "x", 5);
  std::vector<uint8_t> bytes = b.bytes();
  StatusOr<GgufFile> file = ParseGguf(bytes);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->version(), 2u);
  EXPECT_EQ(*file->GetU32("x"), 5u);
}

// Every single-byte corruption of a small valid file either parses or fails
// cleanly; AddressSanitizer checks that no corruption reads out of bounds.
TEST(GgufHostile, SingleByteCorruptionsNeverCrash) {
  GgufWriter writer;
  ASSERT_TRUE(writer.SetString("general.architecture", "llama").ok());
  const std::vector<std::string> tokens = {"a", "bc", "def"};
  ASSERT_TRUE(writer.SetStringArray("tokenizer.ggml.tokens", tokens).ok());
  const float scores[] = {0.5f, -1.0f, 2.0f};
  ASSERT_TRUE(writer.SetArray<float>("tokenizer.ggml.scores", scores).ok());
  const std::vector<uint8_t> data(18, 7);
  const uint64_t ne[] = {32};
  ASSERT_TRUE(writer.AddTensor("q", GgmlType::kQ4_0, ne, data).ok());
  const std::vector<uint8_t> good = writer.Serialize();
  int n_errors = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t v : {uint8_t{0x00}, uint8_t{0x01}, uint8_t{0x7F}, uint8_t{0xFF}}) {
      std::vector<uint8_t> bad = good;
      bad[i] = v;
      const std::string error = ParseError(bad);
      if (error != "OK") {
        ++n_errors;
        EXPECT_THAT(error, StartsWith("gguf: offset ")) << "byte " << i;
      }
    }
  }
  EXPECT_GT(n_errors, 100);
}

// ---- files on disk ----

TEST(GgufOpen, MissingFileIsNotFound) {
  StatusOr<GgufFile> file = OpenGguf("/nonexistent/dir/model.gguf");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(file.status().message(), HasSubstr("/nonexistent/dir/model.gguf"));
}

TEST(GgufOpen, DirectoryIsRefused) {
  StatusOr<GgufFile> file = OpenGguf("/");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace sluice::gguf

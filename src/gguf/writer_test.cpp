#include "gguf/writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

#include "gguf/gguf_file.h"

namespace sluice::gguf {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

template <typename T>
std::span<const uint8_t> AsBytes(const std::vector<T>& v) {
  return {reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(T)};
}

// Every value type, edge values included, in the order they are set.
struct Sample {
  // Storage the Values borrow.
  std::vector<uint8_t> u8s = {0, 1, 255};
  std::vector<int8_t> i8s = {-128, 0, 127};
  std::vector<uint16_t> u16s = {0, 65535};
  std::vector<int16_t> i16s = {-32768, 32767};
  std::vector<uint32_t> u32s = {0, 4294967295u};
  std::vector<int32_t> i32s = {std::numeric_limits<int32_t>::min(), -1, 0, 151936};
  std::vector<float> f32s = {0.0f, -0.0f, 1.5f, std::numeric_limits<float>::infinity(),
                             std::numeric_limits<float>::quiet_NaN(),
                             std::numeric_limits<float>::denorm_min()};
  std::vector<bool> bool_source = {true, false, true};
  bool bools[3] = {true, false, true};
  std::vector<uint64_t> u64s = {0, std::numeric_limits<uint64_t>::max()};
  std::vector<int64_t> i64s = {std::numeric_limits<int64_t>::min(), 42};
  std::vector<double> f64s = {-1e300, 3.141592653589793, -0.0};
  std::string nul_string = std::string("a\0b", 3);
  std::vector<std::string_view> tokens = {"<s>", "", "▁the", "\xff\xfe", "日本語", nul_string};
  std::vector<std::string_view> inner_strings = {"x", "yz"};

  std::vector<std::pair<std::string, Value>> entries;

  Sample() {
    entries.emplace_back("general.architecture", Value(std::string_view("llama")));
    entries.emplace_back("u8", Value(uint8_t{255}));
    entries.emplace_back("i8", Value(int8_t{-128}));
    entries.emplace_back("u16", Value(uint16_t{65535}));
    entries.emplace_back("i16", Value(int16_t{-32768}));
    entries.emplace_back("u32", Value(uint32_t{4294967295u}));
    entries.emplace_back("i32", Value(int32_t{-2147483647 - 1}));
    entries.emplace_back("f32", Value(1e-38f));
    entries.emplace_back("f32.nan", Value(std::numeric_limits<float>::quiet_NaN()));
    entries.emplace_back("bool.true", Value(true));
    entries.emplace_back("bool.false", Value(false));
    entries.emplace_back("string.empty", Value(std::string_view("")));
    entries.emplace_back("string.nul", Value(std::string_view(nul_string)));
    entries.emplace_back("u64", Value(std::numeric_limits<uint64_t>::max()));
    entries.emplace_back("i64", Value(std::numeric_limits<int64_t>::min()));
    entries.emplace_back("f64", Value(2.5e-308));
    entries.emplace_back("arr.u8", Value(Array::Of<uint8_t>(u8s)));
    entries.emplace_back("arr.i8", Value(Array::Of<int8_t>(i8s)));
    entries.emplace_back("arr.u16", Value(Array::Of<uint16_t>(u16s)));
    entries.emplace_back("arr.i16", Value(Array::Of<int16_t>(i16s)));
    entries.emplace_back("arr.u32", Value(Array::Of<uint32_t>(u32s)));
    entries.emplace_back("arr.i32", Value(Array::Of<int32_t>(i32s)));
    entries.emplace_back("arr.f32", Value(Array::Of<float>(f32s)));
    entries.emplace_back("arr.bool", Value(Array::Of<bool>(std::span<const bool>(bools))));
    entries.emplace_back("arr.u64", Value(Array::Of<uint64_t>(u64s)));
    entries.emplace_back("arr.i64", Value(Array::Of<int64_t>(i64s)));
    entries.emplace_back("arr.f64", Value(Array::Of<double>(f64s)));
    entries.emplace_back("arr.empty", Value(Array::Of<float>({})));
    entries.emplace_back("arr.string", Value(Array::OfStrings(tokens)));
    entries.emplace_back("arr.string.empty", Value(Array::OfStrings({})));
    // [[1, -2], ["x", "yz"], [[]]]
    entries.emplace_back(
        "arr.nested",
        Value(Array::OfArrays({Array::Of<int16_t>(std::span<const int16_t>(i16s)),
                               Array::OfStrings(inner_strings),
                               Array::OfArrays({Array::OfArrays({})})})));
  }
};

struct SampleTensor {
  std::string name;
  GgmlType type;
  std::vector<uint64_t> ne;
  std::vector<uint8_t> data;
};

std::vector<SampleTensor> SampleTensors() {
  std::vector<SampleTensor> out;
  auto add = [&out](std::string name, GgmlType type, std::vector<uint64_t> ne) {
    uint64_t n_elements = 0, n_bytes = 0;
    EXPECT_TRUE(ComputeTensorSize(GetGgmlTypeInfo(type), ne, &n_elements, &n_bytes).ok());
    std::vector<uint8_t> data(n_bytes);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 31 + out.size());
    out.push_back({std::move(name), type, std::move(ne), std::move(data)});
  };
  add("token_embd.weight", GgmlType::kQ4_K, {256, 3});  // 432 bytes
  add("blk.0.attn_norm.weight", GgmlType::kF32, {5});     // 20 bytes, not a multiple of 32
  add("blk.0.ffn_up.weight", GgmlType::kQ8_0, {64, 2, 1, 2});
  add("output.bias", GgmlType::kBF16, {3});  // 6 bytes: the file ends with padding
  return out;
}

std::vector<uint8_t> BuildSample(const Sample& sample, const std::vector<SampleTensor>& tensors,
                                 GgufWriter* writer) {
  for (const auto& [key, value] : sample.entries) {
    Status s = writer->Set(key, value);
    EXPECT_TRUE(s.ok()) << key << ": " << s.ToString();
  }
  for (const SampleTensor& t : tensors) {
    Status s = writer->AddTensor(t.name, t.type, t.ne, t.data);
    EXPECT_TRUE(s.ok()) << t.name << ": " << s.ToString();
  }
  return writer->Serialize();
}

void ExpectSameContent(const GgufFile& file, const Sample& sample,
                       const std::vector<SampleTensor>& tensors) {
  ASSERT_EQ(file.metadata().size(), sample.entries.size());
  for (size_t i = 0; i < sample.entries.size(); ++i) {
    const MetadataEntry& entry = file.metadata()[i];
    EXPECT_EQ(entry.key, sample.entries[i].first);
    EXPECT_EQ(TypeDescription(entry.value), TypeDescription(sample.entries[i].second)) << entry.key;
    EXPECT_TRUE(entry.value == sample.entries[i].second) << entry.key;
  }
  ASSERT_EQ(file.tensors().size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorInfo& t = file.tensors()[i];
    EXPECT_EQ(t.name, tensors[i].name);
    EXPECT_EQ(t.type, tensors[i].type);
    EXPECT_EQ(std::vector<uint64_t>(t.dims().begin(), t.dims().end()), tensors[i].ne);
    EXPECT_EQ(std::vector<uint8_t>(t.data.begin(), t.data.end()), tensors[i].data) << t.name;
    EXPECT_EQ(t.offset % file.alignment(), 0u);
    EXPECT_EQ(file.FindTensor(tensors[i].name), &t);
  }
}

TEST(GgufRoundTrip, EveryValueTypeAndTensors) {
  Sample sample;
  const std::vector<SampleTensor> tensors = SampleTensors();
  GgufWriter writer;
  const std::vector<uint8_t> bytes = BuildSample(sample, tensors, &writer);
  StatusOr<GgufFile> file = ParseGguf(bytes);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->version(), 3u);
  EXPECT_EQ(file->data_offset() % 32, 0u);
  EXPECT_EQ(bytes.size() % 32, 0u);
  ExpectSameContent(*file, sample, tensors);

  // Typed getters see the same values.
  EXPECT_EQ(*file->GetU8("u8"), 255);
  EXPECT_EQ(*file->GetI8("i8"), -128);
  EXPECT_EQ(*file->GetU16("u16"), 65535);
  EXPECT_EQ(*file->GetI16("i16"), -32768);
  EXPECT_EQ(*file->GetU32("u32"), 4294967295u);
  EXPECT_EQ(*file->GetI32("i32"), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(*file->GetF32("f32"), 1e-38f);
  EXPECT_TRUE(std::isnan(*file->GetF32("f32.nan")));
  EXPECT_EQ(*file->GetBool("bool.true"), true);
  EXPECT_EQ(*file->GetBool("bool.false"), false);
  EXPECT_EQ(*file->GetString("string.nul"), sample.nul_string);
  EXPECT_EQ(*file->GetU64("u64"), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(*file->GetI64("i64"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(*file->GetF64("f64"), 2.5e-308);
  EXPECT_EQ(*file->GetArrayOf<double>("arr.f64"), sample.f64s);
  EXPECT_EQ(*file->GetArrayOf<int64_t>("arr.i64"), sample.i64s);
  EXPECT_EQ(*file->GetArrayOf<bool>("arr.bool"), sample.bool_source);
  EXPECT_TRUE(file->GetF32Array("arr.empty")->empty());
  StatusOr<std::span<const std::string_view>> tokens = file->GetStringArray("arr.string");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(std::vector<std::string_view>(tokens->begin(), tokens->end()), sample.tokens);
  const Array* nested = *file->GetArray("arr.nested");
  ASSERT_EQ(nested->arrays().size(), 3u);
  EXPECT_EQ(nested->arrays()[1].strings()[1], "yz");
  EXPECT_EQ(nested->arrays()[2].arrays()[0].element_type(), ValueType::kArray);
}

TEST(GgufRoundTrip, ComparisonCanFail) {
  // The deep equality the round trip relies on tells values apart.
  const float a[] = {1.0f}, b[] = {2.0f};
  EXPECT_FALSE(Value(Array::Of<float>(a)) == Value(Array::Of<float>(b)));
  EXPECT_FALSE(Value(uint32_t{1}) == Value(int32_t{1}));
  EXPECT_FALSE(Value(Array::OfStrings({"a"})) == Value(Array::OfStrings({"b"})));
  EXPECT_FALSE(Value(0.0f) == Value(-0.0f));
}

TEST(GgufRoundTrip, CustomAlignment) {
  GgufWriter writer;
  ASSERT_TRUE(writer.SetU32("general.alignment", 64).ok());
  EXPECT_EQ(writer.alignment(), 64u);
  const std::vector<float> x(3, 1.0f), y(5, 2.0f);
  const uint64_t ne_x[] = {3}, ne_y[] = {5};
  ASSERT_TRUE(writer.AddTensor("x", GgmlType::kF32, ne_x, AsBytes(x)).ok());
  ASSERT_TRUE(writer.AddTensor("y", GgmlType::kF32, ne_y, AsBytes(y)).ok());
  const std::vector<uint8_t> bytes = writer.Serialize();
  StatusOr<GgufFile> file = ParseGguf(bytes);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->alignment(), 64u);
  EXPECT_EQ(file->data_offset() % 64, 0u);
  EXPECT_EQ(file->tensors()[1].offset, 64u);
  // Padding is zeros.
  for (size_t i = file->data_offset() + 12; i < file->data_offset() + 64; ++i) {
    ASSERT_EQ(bytes[i], 0) << i;
  }
}

TEST(GgufWriterErrors, RefusesBadInput) {
  GgufWriter writer;
  ASSERT_TRUE(writer.SetU32("a", 1).ok());
  Status dup = writer.SetString("a", "x");
  EXPECT_EQ(dup.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(dup.message(), HasSubstr("duplicate metadata key \"a\""));
  EXPECT_FALSE(writer.SetU32("general.alignment", 48).ok());
  EXPECT_FALSE(writer.Set("general.alignment", Value(uint64_t{32})).ok());

  const std::vector<uint8_t> data(18);
  const uint64_t ne[] = {32};
  ASSERT_TRUE(writer.AddTensor("q", GgmlType::kQ4_0, ne, data).ok());
  EXPECT_THAT(writer.AddTensor("q", GgmlType::kQ4_0, ne, data).message(),
              HasSubstr("duplicate tensor name"));
  EXPECT_THAT(writer.AddTensor("r", GgmlType::kQ4_0, ne, std::span(data).first(17)).message(),
              HasSubstr("17 bytes given, Q4_0 with 32 elements takes 18"));
  const uint64_t ne_bad[] = {33};
  EXPECT_THAT(writer.AddTensor("s", GgmlType::kQ4_0, ne_bad, data).message(),
              HasSubstr("not a multiple of the Q4_0 block size 32"));
  const uint64_t ne5[] = {1, 1, 1, 1, 1};
  EXPECT_THAT(writer.AddTensor("t", GgmlType::kF32, ne5, std::span(data).first(4)).message(),
              HasSubstr("5 dims"));
  EXPECT_THAT(writer.AddTensor("u", static_cast<GgmlType>(5), ne, data).message(),
              HasSubstr("unknown ggml type id 5"));
  EXPECT_FALSE(writer.SetU32("general.alignment", 64).ok()) << "alignment after tensors";
}

// Cutting the writer's file anywhere before the end of the last tensor's data
// gives an error (never a crash: each prefix is parsed from an exact-size heap
// copy, so AddressSanitizer catches any read past it). Cuts inside the final
// padding, which carries no data, parse to the same content (docs/gguf.md).
TEST(GgufTruncation, EveryPrefixFailsCleanly) {
  Sample sample;
  const std::vector<SampleTensor> tensors = SampleTensors();
  GgufWriter writer;
  const std::vector<uint8_t> bytes = BuildSample(sample, tensors, &writer);
  StatusOr<GgufFile> whole = ParseGguf(bytes);
  ASSERT_TRUE(whole.ok());
  const TensorInfo& last = whole->tensors().back();
  const size_t data_end = whole->data_offset() + last.offset + last.n_bytes;
  ASSERT_LT(data_end, bytes.size()) << "the sample should end with padding";

  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    auto prefix = std::make_unique<uint8_t[]>(cut);
    std::copy(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(cut), prefix.get());
    StatusOr<GgufFile> file = ParseGguf({prefix.get(), cut});
    if (cut < data_end) {
      ASSERT_FALSE(file.ok()) << "cut at " << cut;
      ASSERT_EQ(file.status().code(), ErrorCode::kInvalidArgument);
      ASSERT_THAT(file.status().message(), StartsWith("gguf: offset ")) << cut;
      ASSERT_THAT(file.status().message(),
                  ::testing::ContainsRegex("\\(size " + std::to_string(cut) + "[,)]"))
          << cut;
    } else {
      ASSERT_TRUE(file.ok()) << "cut at " << cut << ": " << file.status().ToString();
      ExpectSameContent(*file, sample, tensors);
    }
  }
}

class GgufFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "sluice-gguf-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(GgufFileTest, WriteFileThenOpenMapsTheSameContent) {
  Sample sample;
  const std::vector<SampleTensor> tensors = SampleTensors();
  GgufWriter writer;
  const std::vector<uint8_t> bytes = BuildSample(sample, tensors, &writer);
  const std::string path = (dir_ / "model.gguf").string();
  {
    std::ofstream old(path);
    old << "previous contents";
  }
  ASSERT_TRUE(writer.WriteFile(path).ok());
  // Only the target is left: the temporary file was renamed over it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_),
                          std::filesystem::directory_iterator()),
            1);
  EXPECT_EQ(std::filesystem::file_size(path), bytes.size());

  StatusOr<GgufFile> opened = OpenGguf(path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  GgufFile file = std::move(*opened);  // views survive moving the owner
  ExpectSameContent(file, sample, tensors);
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), file.bytes().begin(), file.bytes().end()));
}

TEST_F(GgufFileTest, WriteIntoMissingDirectoryFails) {
  GgufWriter writer;
  Status s = writer.WriteFile((dir_ / "no" / "such" / "m.gguf").string());
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("m.gguf"));
}

TEST_F(GgufFileTest, TruncatedFileOnDiskNamesPathAndOffset) {
  GgufWriter writer;
  ASSERT_TRUE(writer.SetString("general.name", "tiny").ok());
  std::vector<uint8_t> bytes = writer.Serialize();
  bytes.resize(40);
  const std::string path = (dir_ / "cut.gguf").string();
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  StatusOr<GgufFile> file = OpenGguf(path);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(),
            "gguf: " + path +
                ": offset 24: metadata key #0: key length 12 runs past end of file (size 40)");
}

TEST_F(GgufFileTest, EmptyFileIsMalformedNotMissing) {
  const std::string path = (dir_ / "empty.gguf").string();
  std::ofstream{path};
  StatusOr<GgufFile> file = OpenGguf(path);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(file.status().message(), HasSubstr("magic (4 bytes) runs past end of file (size 0)"));
}

}  // namespace
}  // namespace sluice::gguf

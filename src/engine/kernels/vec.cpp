// vec.h with Highway (foreach_target + runtime dispatch). F16 conversions use
// the hardware instructions (F16C on x86 AVX2 and up, NEON on Arm), which
// round to nearest even like ggml; on targets without them Highway would
// emulate with truncation, so those targets take the scalar fp16.h path.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/kernels/vec.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "engine/kernels/fp16.h"
#include "engine/kernels/vec.h"

HWY_BEFORE_NAMESPACE();
namespace sluice::engine::internal {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if (HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2 && !defined(HWY_DISABLE_F16C)) || HWY_ARCH_ARM_A64
constexpr bool kNativeF16 = true;
#else
constexpr bool kNativeF16 = false;
#endif

using DF = hn::ScalableTag<float>;
using DH = hn::Rebind<hwy::float16_t, DF>;

HWY_INLINE hn::Vec<DF> LoadHalf(const uint16_t* p) {
  return hn::PromoteTo(DF(), hn::LoadU(DH(), reinterpret_cast<const hwy::float16_t*>(p)));
}

void F32ToF16Impl(const float* x, uint16_t* y, int64_t n) {
  int64_t i = 0;
  if constexpr (kNativeF16) {
    const DF df;
    const DH dh;
    const int64_t lanes = static_cast<int64_t>(hn::Lanes(df));
    for (; i + lanes <= n; i += lanes) {
      hn::StoreU(hn::DemoteTo(dh, hn::LoadU(df, x + i)), dh, reinterpret_cast<hwy::float16_t*>(y + i));
    }
  }
  for (; i < n; ++i) y[i] = Fp32ToFp16(x[i]);
}

void F16ToF32Impl(const uint16_t* x, float* y, int64_t n) {
  int64_t i = 0;
  if constexpr (kNativeF16) {
    const DF df;
    const int64_t lanes = static_cast<int64_t>(hn::Lanes(df));
    for (; i + lanes <= n; i += lanes) hn::StoreU(LoadHalf(x + i), df, y + i);
  }
  for (; i < n; ++i) y[i] = Fp16ToFp32(x[i]);
}

float DotF16F32Impl(const uint16_t* a, const float* b, int64_t n) {
  int64_t i = 0;
  float sum = 0.0f;
  if constexpr (kNativeF16) {
    const DF df;
    const int64_t lanes = static_cast<int64_t>(hn::Lanes(df));
    auto s0 = hn::Zero(df), s1 = hn::Zero(df);  // two chains hide FMA latency
    for (; i + 2 * lanes <= n; i += 2 * lanes) {
      s0 = hn::MulAdd(LoadHalf(a + i), hn::LoadU(df, b + i), s0);
      s1 = hn::MulAdd(LoadHalf(a + i + lanes), hn::LoadU(df, b + i + lanes), s1);
    }
    for (; i + lanes <= n; i += lanes) s0 = hn::MulAdd(LoadHalf(a + i), hn::LoadU(df, b + i), s0);
    sum = hn::GetLane(hn::SumOfLanes(df, hn::Add(s0, s1)));
  }
  for (; i < n; ++i) sum += Fp16ToFp32(a[i]) * b[i];
  return sum;
}

void AxpyF16Impl(float a, const uint16_t* x, float* y, int64_t n) {
  int64_t i = 0;
  if constexpr (kNativeF16) {
    const DF df;
    const int64_t lanes = static_cast<int64_t>(hn::Lanes(df));
    const auto va = hn::Set(df, a);
    for (; i + lanes <= n; i += lanes) {
      hn::StoreU(hn::MulAdd(va, LoadHalf(x + i), hn::LoadU(df, y + i)), df, y + i);
    }
  }
  for (; i < n; ++i) y[i] += a * Fp16ToFp32(x[i]);
}

float DotF32Impl(const float* a, const float* b, int64_t n) {
  const DF df;
  const int64_t lanes = static_cast<int64_t>(hn::Lanes(df));
  auto s0 = hn::Zero(df), s1 = hn::Zero(df);
  int64_t i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    s0 = hn::MulAdd(hn::LoadU(df, a + i), hn::LoadU(df, b + i), s0);
    s1 = hn::MulAdd(hn::LoadU(df, a + i + lanes), hn::LoadU(df, b + i + lanes), s1);
  }
  for (; i + lanes <= n; i += lanes) s0 = hn::MulAdd(hn::LoadU(df, a + i), hn::LoadU(df, b + i), s0);
  float sum = hn::GetLane(hn::SumOfLanes(df, hn::Add(s0, s1)));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace HWY_NAMESPACE
}  // namespace sluice::engine::internal
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace sluice::engine {
namespace internal {
HWY_EXPORT(F32ToF16Impl);
HWY_EXPORT(F16ToF32Impl);
HWY_EXPORT(DotF16F32Impl);
HWY_EXPORT(AxpyF16Impl);
HWY_EXPORT(DotF32Impl);
}  // namespace internal

void F32ToF16(const float* x, uint16_t* y, int64_t n) {
  HWY_DYNAMIC_DISPATCH(internal::F32ToF16Impl)(x, y, n);
}
void F16ToF32(const uint16_t* x, float* y, int64_t n) {
  HWY_DYNAMIC_DISPATCH(internal::F16ToF32Impl)(x, y, n);
}
float DotF16F32(const uint16_t* a, const float* b, int64_t n) {
  return HWY_DYNAMIC_DISPATCH(internal::DotF16F32Impl)(a, b, n);
}
void AxpyF16(float a, const uint16_t* x, float* y, int64_t n) {
  HWY_DYNAMIC_DISPATCH(internal::AxpyF16Impl)(a, x, y, n);
}
float DotF32(const float* a, const float* b, int64_t n) {
  return HWY_DYNAMIC_DISPATCH(internal::DotF32Impl)(a, b, n);
}

}  // namespace sluice::engine
#endif  // HWY_ONCE

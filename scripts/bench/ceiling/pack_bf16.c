// What the hardware allows for the GEMM's packing of bf16 W, written in C with intrinsics: the same
// traversal as MatmulKernels.packBf16 (per depth block of 256 W rows and 256 columns, 16 rows at a time,
// each row's 32-column piece widened to float32 into panels of 32 columns), over 27 matrices of SigLIP's
// MLP shape [1152, 4304] in memory, one thread; without and with software prefetch of the next 16 rows'
// pieces (_mm_prefetch, which Java has no way to issue). Compare with the contiguous case printed last
// (the same bytes widened in order).
//
//   gcc -O3 -march=native -o /tmp/pack_bf16 scripts/bench/ceiling/pack_bf16.c && /tmp/pack_bf16
//
// Prints GB/s of bf16 read. Needs AVX-512F.
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { K = 1152, N = 4304, KC = 256, NC = 256, NR = 32, ROWS_PER_STEP = 16, MATRICES = 27 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static __m512 widen(const uint16_t *src) {
    __m512i v = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *) src));
    return _mm512_castsi512_ps(_mm512_slli_epi32(v, 16));
}

// W[k0 .. k0+kc, n0 .. n0+NC) into packed[(j·kc + k)·NR + c]
static void pack(const uint16_t *w, int k0, int kc, int n0, float *packed, int prefetch) {
    for (int kb = 0; kb < kc; kb += ROWS_PER_STEP) {
        int ke = kb + ROWS_PER_STEP < kc ? kb + ROWS_PER_STEP : kc;
        if (prefetch) {
            for (int k = ke; k < ke + ROWS_PER_STEP && k < kc; k++) {
                const char *p = (const char *) (w + (size_t) (k0 + k) * N + n0);
                for (int b = 0; b < NC * 2; b += 64) _mm_prefetch(p + b, _MM_HINT_T0);
            }
        }
        for (int j = 0; j < NC / NR; j++) {
            for (int k = kb; k < ke; k++) {
                const uint16_t *src = w + (size_t) (k0 + k) * N + n0 + j * NR;
                float *dst = packed + ((size_t) j * kc + k) * NR;
                _mm512_storeu_ps(dst, widen(src));
                _mm512_storeu_ps(dst + 16, widen(src + 16));
            }
        }
    }
}

int main(void) {
    uint16_t *w[MATRICES];
    for (int m = 0; m < MATRICES; m++) {
        w[m] = aligned_alloc(64, (size_t) K * N * 2);
        for (size_t e = 0; e < (size_t) K * N; e++) w[m][e] = (uint16_t) (0x3f80 + (e & 7));
    }
    float *packed = aligned_alloc(64, (size_t) KC * NC * 4);
    float *line = aligned_alloc(64, 65536 * 4);
    double bytes = (double) MATRICES * K * (N / NC * NC) * 2;
    for (int round = 0; round < 3; round++) {
        double rate[2];
        for (int prefetch = 0; prefetch < 2; prefetch++) {
            double t0 = now();
            for (int m = 0; m < MATRICES; m++)
                for (int n0 = 0; n0 + NC <= N; n0 += NC)
                    for (int k0 = 0; k0 < K; k0 += KC) pack(w[m], k0, K - k0 < KC ? K - k0 : KC, n0, packed, prefetch);
            rate[prefetch] = bytes / (now() - t0) / 1e9;
        }
        double t0 = now();
        for (int m = 0; m < MATRICES; m++)
            for (size_t e = 0; e + 65536 <= (size_t) K * N; e += 65536)
                for (int i = 0; i < 65536; i += 16) _mm512_storeu_ps(line + i, widen(w[m] + e + i));
        double contiguous = (double) MATRICES * ((size_t) K * N / 65536 * 65536) * 2 / (now() - t0) / 1e9;
        printf("packing: %.2f GB/s, with prefetch %.2f GB/s | contiguous widening: %.2f GB/s\n", rate[0], rate[1],
               contiguous);
    }
    return 0;
}

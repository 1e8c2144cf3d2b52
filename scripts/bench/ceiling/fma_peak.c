// The float32 FMA peak of this CPU's cores: twelve independent chains of 8-lane (AVX2) or 16-lane (AVX-512)
// FMAs per thread, with 1 and 2 threads, the GFLOP/s the GEMM micro-kernel is held against.
//
//   gcc -O3 -funroll-all-loops -march=native -pthread -o /tmp/fma_peak scripts/bench/ceiling/fma_peak.c && /tmp/fma_peak
//
// Needs AVX2 and FMA (uses 512-bit vectors where -march=native enables AVX-512F).
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#ifdef __AVX512F__
typedef __m512 vec;
#define LANES 16
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#define FIRST(v) _mm512_cvtss_f32(v)
#else
typedef __m256 vec;
#define LANES 8
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
#define FIRST(v) _mm256_cvtss_f32(v)
#endif
enum { CHAINS = 12 };
static const long STEPS = 200000000L;
static volatile float sink;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *chains(void *unused) {
    (void) unused;
    vec c[CHAINS];
    for (int i = 0; i < CHAINS; i++) c[i] = SET1(i * 0.001f);
    vec a = SET1(0.9999f), b = SET1(0.0001f);
    for (long k = 0; k < STEPS; k++) {
        for (int i = 0; i < CHAINS; i++) c[i] = FMA(a, c[i], b);
    }
    float s = 0;
    for (int i = 0; i < CHAINS; i++) s += FIRST(c[i]);
    sink = s;
    return NULL;
}

int main(void) {
    for (int threads = 1; threads <= 2; threads++) {
        pthread_t t[2];
        double t0 = now();
        for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, chains, NULL);
        for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
        double s = now() - t0;
        printf("%d-lane FMA, %d thread(s): %.1f GFLOP/s\n", LANES, threads, threads * STEPS * CHAINS * LANES * 2.0 / s / 1e9);
    }
    return 0;
}

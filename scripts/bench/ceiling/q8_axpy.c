// What the hardware allows for the Q8_0 decode kernel, written in C with intrinsics: the same input-first
// "axpy" pass as Q8Kernels.rows (four W rows per pass, each 32-value block widened with vpmovsxbd +
// vcvtdq2ps and added into float32 sums with one FMA per 16 values), to compare with the Java kernel
// (JMH: scripts/paligemma bench --jmh 'MatvecBench -p dtype=Q8_0 -p impl=jvm').
//
//   gcc -O3 -march=native -pthread -o /tmp/q8_axpy scripts/bench/ceiling/q8_axpy.c && /tmp/q8_axpy
//
// Prints, in GB/s of int8 values: (1) one thread, W in L2 (256 rows x 2048 columns, repeated);
// (2) two threads over 160 MiB of W (ten 16384 x 2048 matrices, the down projection's shape), without and
// with software prefetch 1 and 2 KiB ahead (_mm_prefetch, which Java has no way to issue). Needs AVX-512F.
// The row layout here is the int8 values only (scales folded into the per-row factors), which is what
// bounds the inner loop; the block scales add 1/16 to the bytes.
#include <immintrin.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int prefetch_ahead = 0;

#define WIDEN(p) _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *) (p))))

// acc[c] += s_k[b] * q_k[c] for the four rows k of one pass, block b = c / 32
static void pass4(const int8_t *r0, size_t row_bytes, int blocks, const float *s, float *acc) {
    const int8_t *r1 = r0 + row_bytes, *r2 = r1 + row_bytes, *r3 = r2 + row_bytes;
    for (int b = 0; b < blocks; b++) {
        size_t o = (size_t) b * 32;
        if (prefetch_ahead) {
            _mm_prefetch((const char *) r0 + o + prefetch_ahead, _MM_HINT_T0);
            _mm_prefetch((const char *) r1 + o + prefetch_ahead, _MM_HINT_T0);
            _mm_prefetch((const char *) r2 + o + prefetch_ahead, _MM_HINT_T0);
            _mm_prefetch((const char *) r3 + o + prefetch_ahead, _MM_HINT_T0);
        }
        __m512 s0 = _mm512_set1_ps(s[b]), s1 = _mm512_set1_ps(s[blocks + b]);
        __m512 s2 = _mm512_set1_ps(s[2 * blocks + b]), s3 = _mm512_set1_ps(s[3 * blocks + b]);
        __m512 lo = _mm512_loadu_ps(acc + o), hi = _mm512_loadu_ps(acc + o + 16);
        lo = _mm512_fmadd_ps(WIDEN(r0 + o), s0, lo);
        hi = _mm512_fmadd_ps(WIDEN(r0 + o + 16), s0, hi);
        lo = _mm512_fmadd_ps(WIDEN(r1 + o), s1, lo);
        hi = _mm512_fmadd_ps(WIDEN(r1 + o + 16), s1, hi);
        lo = _mm512_fmadd_ps(WIDEN(r2 + o), s2, lo);
        hi = _mm512_fmadd_ps(WIDEN(r2 + o + 16), s2, hi);
        lo = _mm512_fmadd_ps(WIDEN(r3 + o), s3, lo);
        hi = _mm512_fmadd_ps(WIDEN(r3 + o + 16), s3, hi);
        _mm512_storeu_ps(acc + o, lo);
        _mm512_storeu_ps(acc + o + 16, hi);
    }
}

typedef struct {
    int8_t **w;
    int matrices, rows, cols, thread, threads;
    const float *scales;
    float acc[16384];
} job;

static void *run(void *arg) {
    job *j = arg;
    int band = j->rows / j->threads;
    for (int m = 0; m < j->matrices; m++) {
        for (int r = j->thread * band; r + 4 <= (j->thread + 1) * band; r += 4) {
            pass4(j->w[m] + (size_t) r * j->cols, j->cols, j->cols / 32, j->scales, j->acc);
        }
    }
    return NULL;
}

static double stream(int8_t **w, int matrices, int rows, int cols, int threads, const float *scales) {
    pthread_t th[8];
    static job jobs[8];
    double t0 = now();
    for (int t = 0; t < threads; t++) {
        jobs[t] = (job) {w, matrices, rows, cols, t, threads, scales};
        pthread_create(&th[t], NULL, run, &jobs[t]);
    }
    for (int t = 0; t < threads; t++) pthread_join(th[t], NULL);
    return (double) matrices * rows * cols / (now() - t0) / 1e9;
}

int main(void) {
    float *scales = malloc(4 * 512 * sizeof(float));
    for (int i = 0; i < 4 * 512; i++) scales[i] = 1e-3f * (i % 97);

    int8_t *small = aligned_alloc(64, 256 * 2048);
    for (int i = 0; i < 256 * 2048; i++) small[i] = (int8_t) rand();
    int8_t *repeated[64];
    for (int i = 0; i < 64; i++) repeated[i] = small;

    enum { MATRICES = 10, ROWS = 16384, COLS = 2048 };
    int8_t *big[MATRICES];
    for (int m = 0; m < MATRICES; m++) {
        big[m] = aligned_alloc(64, (size_t) ROWS * COLS);
        for (size_t i = 0; i < (size_t) ROWS * COLS; i++) big[m][i] = (int8_t) (i * 2654435761u >> 24);
    }

    for (int round = 0; round < 3; round++) {
        prefetch_ahead = 0;
        double l2 = 0;
        for (int k = 0; k < 40; k++) {   // 40 x 64 passes over the same 512 KiB
            double g = stream(repeated, 64, 256, 2048, 1, scales);
            if (g > l2) l2 = g;
        }
        double dram = stream(big, MATRICES, ROWS, COLS, 2, scales);
        prefetch_ahead = 1024;
        double pf1 = stream(big, MATRICES, ROWS, COLS, 2, scales);
        prefetch_ahead = 2048;
        double pf2 = stream(big, MATRICES, ROWS, COLS, 2, scales);
        printf("1 thread, W in L2: %.1f GB/s | 2 threads, W in DRAM: %.1f GB/s, prefetch 1 KiB ahead %.1f, 2 KiB ahead %.1f\n",
               l2, dram, pf1, pf2);
    }
    return 0;
}

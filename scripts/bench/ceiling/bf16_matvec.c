// What the hardware allows for the bf16 decode kernels, written in C with AVX-512 intrinsics, next to a plain
// read of the same bytes: the read bandwidth that the decode floor divides by, and the two bf16 passes
// (MatvecKernels.bf16Pass: eight input-first W rows added into de-interleaved accumulators; DotKernels'
// eight-row dot of output-first rows, the unembedding), each widening bf16 pairs with one shift and one and.
//
//   gcc -O3 -march=native -pthread -o /tmp/bf16_matvec scripts/bench/ceiling/bf16_matvec.c && /tmp/bf16_matvec
//
// Prints GB/s of weight bytes, best of five, of wall time and per second of CPU time (the latter holds on a
// machine that other work shares), over 512 MiB of W (far past the last-level cache): a plain
// read with 1 and 2 threads, then each pass with 2 threads in the Java kernels' bands (input-first:
// 2048 x 16384 in bands of 256 rows, 16384 x 2048 in bands of 1024; output-first: 64-row tasks of
// 2048-wide rows). Needs AVX-512F; uses about 600 MiB.
#include <immintrin.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

enum { BYTES = 512 << 20 };
static const uint8_t *W;

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

typedef struct {
    int kind, thread, threads;
    double sink, cpu;
} job;

// plain read: four independent sums of 512-bit loads
static double read_range(const uint8_t *p, size_t n) {
    __m512i a = _mm512_setzero_si512(), b = a, c = a, d = a;
    for (size_t o = 0; o < n; o += 256) {
        a = _mm512_add_epi32(a, _mm512_loadu_si512(p + o));
        b = _mm512_add_epi32(b, _mm512_loadu_si512(p + o + 64));
        c = _mm512_add_epi32(c, _mm512_loadu_si512(p + o + 128));
        d = _mm512_add_epi32(d, _mm512_loadu_si512(p + o + 192));
    }
    return _mm512_reduce_add_epi32(_mm512_add_epi32(_mm512_add_epi32(a, b), _mm512_add_epi32(c, d)));
}

#define EVEN(v) _mm512_castsi512_ps(_mm512_slli_epi32(v, 16))
#define ODD(v) _mm512_castsi512_ps(_mm512_and_si512(v, _mm512_set1_epi32((int) 0xFFFF0000)))

// input-first: acc (de-interleaved, even | odd) += x_k * W[k, :] for the 8 rows of each pass of one band
static void axpy_band(const uint8_t *w, int rows, int out, const float *x, float *acc) {
    int np = out / 2;
    size_t rb = (size_t) out * 2;
    memset(acc, 0, sizeof(float) * out);
    for (int r = 0; r + 8 <= rows; r += 8) {
        const uint8_t *b = w + r * rb;
        __m512 x0 = _mm512_set1_ps(x[r]), x1 = _mm512_set1_ps(x[r + 1]), x2 = _mm512_set1_ps(x[r + 2]);
        __m512 x3 = _mm512_set1_ps(x[r + 3]), x4 = _mm512_set1_ps(x[r + 4]), x5 = _mm512_set1_ps(x[r + 5]);
        __m512 x6 = _mm512_set1_ps(x[r + 6]), x7 = _mm512_set1_ps(x[r + 7]);
        for (int p = 0; p < np; p += 16) {
            const uint8_t *q = b + (size_t) p * 4;
            __m512 e = _mm512_loadu_ps(acc + p), d = _mm512_loadu_ps(acc + np + p);
            __m512i v;
#define ROW(k, xk) v = _mm512_loadu_si512(q + (k) * rb); e = _mm512_fmadd_ps(EVEN(v), xk, e); d = _mm512_fmadd_ps(ODD(v), xk, d);
            ROW(0, x0) ROW(1, x1) ROW(2, x2) ROW(3, x3) ROW(4, x4) ROW(5, x5) ROW(6, x6) ROW(7, x7)
#undef ROW
            _mm512_storeu_ps(acc + p, e);
            _mm512_storeu_ps(acc + np + p, d);
        }
    }
}

// output-first: y[k] = x · W[k, :] for 8 rows at a time (x de-interleaved into xe | xo)
static void dot_rows(const uint8_t *w, int n, int width, const float *xe, const float *xo, float *y) {
    size_t rb = (size_t) width * 2;
    for (int r = 0; r + 8 <= n; r += 8) {
        __m512 a[8], d[8];
        for (int k = 0; k < 8; k++) a[k] = d[k] = _mm512_setzero_ps();
        const uint8_t *b = w + r * rb;
        for (int p = 0; p < width / 2; p += 16) {
            __m512 ev = _mm512_loadu_ps(xe + p), ov = _mm512_loadu_ps(xo + p);
            for (int k = 0; k < 8; k++) {
                __m512i v = _mm512_loadu_si512(b + k * rb + (size_t) p * 4);
                a[k] = _mm512_fmadd_ps(EVEN(v), ev, a[k]);
                d[k] = _mm512_fmadd_ps(ODD(v), ov, d[k]);
            }
        }
        for (int k = 0; k < 8; k++) y[r + k] = _mm512_reduce_add_ps(_mm512_add_ps(a[k], d[k]));
    }
}

static float X[16384], XE[1024], XO[1024];

static void *run(void *arg) {
    job *j = arg;
    static __thread float acc[16384], y[64];
    double s = 0, c0 = cpu_now();
    if (j->kind == 0) {   // plain read, contiguous halves
        size_t part = BYTES / j->threads;
        s = read_range(W + j->thread * part, part);
    } else if (j->kind == 1 || j->kind == 2) {   // input-first bands, handed out round robin
        int in = j->kind == 1 ? 2048 : 16384, out = j->kind == 1 ? 16384 : 2048, band = j->kind == 1 ? 256 : 1024;
        size_t mat = (size_t) in * out * 2;
        int matrices = BYTES / mat, bands = in / band;
        for (int t = j->thread; t < matrices * bands; t += j->threads) {
            int m = t / bands, b = t % bands;
            axpy_band(W + m * mat + (size_t) b * band * out * 2, band, out, X + b * band, acc);
            s += acc[t % out];
        }
    } else {   // output-first 64-row tasks
        int width = 2048, n = BYTES / (width * 2);
        for (int t = j->thread; t < n / 64; t += j->threads) {
            dot_rows(W + (size_t) t * 64 * width * 2, 64, width, XE, XO, y);
            s += y[t % 64];
        }
    }
    j->sink = s;
    j->cpu = cpu_now() - c0;
    return NULL;
}

// GB/s of wall time; *core: GB per second of CPU time summed over the threads (robust to a busy machine)
static double stream(int kind, int threads, double *core) {
    pthread_t th[8];
    job jobs[8];
    double t0 = now(), cpu = 0;
    for (int t = 0; t < threads; t++) {
        jobs[t] = (job) {kind, t, threads, 0, 0};
        pthread_create(&th[t], NULL, run, &jobs[t]);
    }
    for (int t = 0; t < threads; t++) pthread_join(th[t], NULL);
    double wall = now() - t0;
    for (int t = 0; t < threads; t++) cpu += jobs[t].cpu;
    *core = BYTES / cpu / 1e9;
    return BYTES / wall / 1e9;
}

static void best(const char *name, int kind, int threads) {
    double g = 0, c = 0;
    for (int k = 0; k < 5; k++) {
        double core, v = stream(kind, threads, &core);
        if (v > g) g = v;
        if (core > c) c = core;
    }
    printf("  %-28s %d threads: %5.1f GB/s wall, %5.1f GB/s per CPU-second\n", name, threads, g, c);
}

int main(void) {
    uint8_t *w = aligned_alloc(4096, BYTES);
    uint16_t *h = (uint16_t *) w;
    for (size_t i = 0; i < BYTES / 2; i++) h[i] = 0x3c00 + (uint16_t) ((i * 2654435761u >> 20) & 0x3ff);
    W = w;
    for (int i = 0; i < 16384; i++) X[i] = 1e-3f * (i % 89);
    for (int i = 0; i < 1024; i++) XE[i] = X[2 * i], XO[i] = X[2 * i + 1];
    for (int round = 0; round < 3; round++) {
        printf("round %d\n", round + 1);
        best("plain read", 0, 1);
        best("plain read", 0, 2);
        best("bf16 axpy 2048x16384", 1, 2);
        best("bf16 axpy 16384x2048", 2, 2);
        best("bf16 dot, 8 rows of 2048", 3, 2);
        fflush(stdout);
    }
    return 0;
}
